import type { Command } from 'commander';

export interface InspectFlags {
  trt?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Check a model file; --trt: against the TensorRT explicit-quantization (QDQ) rules.')
    .argument('<model.onnx>', 'ONNX model')
    .option('--trt', 'check the TensorRT QDQ rules: exit 0 when compliant, else name the first violation (node, op, rule)')
    .action(async (modelPath: string, flags: InspectFlags) => {
      // Loaded on use, like every command's action: --help and usage errors stay fast.
      const { inspectCommand } = await import('./inspect-action.js');
      inspectCommand(modelPath, flags);
    });
}
