import type { Command } from 'commander';

export interface InspectFlags {
  trt?: boolean;
  ortCpu?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Check a model file; --trt: against the TensorRT explicit-quantization (QDQ) rules; --ort-cpu: what ONNX Runtime\'s CPU EP runs.')
    .argument('<model.onnx>', 'ONNX model')
    .option('--trt', 'check the TensorRT QDQ rules: exit 0 when compliant, else name the first violation (node, op, rule)')
    .option('--ort-cpu', "list the operators ONNX Runtime's CPU EP runs after its optimizations; a QDQ model fails when a Conv/Gemm/MatMul stays float")
    .action(async (modelPath: string, flags: InspectFlags) => {
      // Loaded on use, like every command's action: --help and usage errors stay fast.
      const { inspectCommand } = await import('./inspect-action.js');
      await inspectCommand(modelPath, flags);
    });
}
