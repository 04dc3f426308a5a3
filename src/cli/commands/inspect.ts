import type { Command } from 'commander';
import { checkTensorRtRules } from '../../quantize/qdq/trt-rules.js';
import { readModel } from '../../quantize/onnx/proto.js';
import { ConfigError, ModelError } from '../../sdk/errors.js';

interface InspectFlags {
  trt?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Check a model file; --trt: against the TensorRT explicit-quantization (QDQ) rules.')
    .argument('<model.onnx>', 'ONNX model')
    .option('--trt', 'check the TensorRT QDQ rules: exit 0 when compliant, else name the first violation (node, op, rule)')
    .action((modelPath: string, flags: InspectFlags) => {
      if (!flags.trt) throw new ConfigError('inspect needs a check to run: --trt');
      const model = readModel(modelPath);
      const violations = checkTensorRtRules(model);
      const first = violations[0];
      if (first) {
        const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
        throw new ModelError(`${modelPath}: ${first.message}${more}`);
      }
      const qdq = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear').length;
      process.stdout.write(`${modelPath}: TensorRT QDQ rules OK (${model.graph.nodes.length} nodes, ${qdq} Q/DQ)\n`);
    });
}
