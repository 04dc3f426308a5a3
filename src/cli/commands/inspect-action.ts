import { checkTensorRtRules } from '../../quantize/qdq/trt-rules.js';
import { readModel } from '../../quantize/onnx/proto.js';
import { ConfigError, ModelError } from '../../sdk/errors.js';
import type { InspectFlags } from './inspect.js';

/** `fer-edge inspect`: the checks on one model file. */
export function inspectCommand(modelPath: string, flags: InspectFlags): void {
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
}
