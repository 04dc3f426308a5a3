import { readFileSync } from 'node:fs';
import { QDQ_FLAVOR_METADATA_KEY } from '../../quantize/qdq/flavor.js';
import { ortCpuOperators } from '../../quantize/qdq/ort-operators.js';
import { checkTensorRtRules } from '../../quantize/qdq/trt-rules.js';
import { readModel } from '../../core/onnx/proto.js';
import type { Model } from '../../core/onnx/graph.js';
import { ConfigError, ModelError } from '../../core/errors.js';
import type { InspectFlags } from './inspect.js';

/** Float operators that, in a QDQ model, mean ONNX Runtime did not fuse a node unit into an integer kernel. */
const UNFUSED_MATRIX_OPS = ['Conv', 'com.microsoft.FusedConv', 'Gemm', 'com.microsoft.FusedGemm', 'MatMul', 'com.microsoft.FusedMatMul'];

function checkTensorRt(modelPath: string, model: Model): void {
  if (model.metadata.get(QDQ_FLAVOR_METADATA_KEY) === 'cpu') {
    throw new ModelError(`${modelPath} is a CPU-flavour QDQ model (fer-edge quantize --qdq-flavor cpu): the TensorRT rules do not apply; check it with --ort-cpu`);
  }
  const violations = checkTensorRtRules(model);
  const first = violations[0];
  if (first) {
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    throw new ModelError(`${modelPath}: ${first.message}${more}`);
  }
  const qdq = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear').length;
  process.stdout.write(`${modelPath}: TensorRT QDQ rules OK (${model.graph.nodes.length} nodes, ${qdq} Q/DQ)\n`);
}

/** What ONNX Runtime's CPU EP runs; for a QDQ model, a failure when a Conv/Gemm/MatMul stayed float. */
async function checkOrtCpu(modelPath: string, model: Model): Promise<void> {
  const operators = await ortCpuOperators(readFileSync(modelPath));
  const list = Object.entries(operators)
    .sort((a, b) => b[1] - a[1])
    .map(([op, count]) => `${op} ${count}`)
    .join(', ');
  const quantized = model.graph.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear');
  const unfused = UNFUSED_MATRIX_OPS.filter((op) => operators[op]).map((op) => `${operators[op]} ${op}`);
  if (quantized && unfused.length > 0) {
    throw new ModelError(`${modelPath}: ONNX Runtime's CPU EP runs ${unfused.join(', ')} in float, not fused into integer kernels (fer-edge quantize --qdq-flavor cpu writes a graph it fuses); it runs ${list}`);
  }
  process.stdout.write(`${modelPath}: ONNX Runtime CPU EP runs ${list}\n`);
}

/** `fer-edge inspect`: the checks on one model file. */
export async function inspectCommand(modelPath: string, flags: InspectFlags): Promise<void> {
  if (!flags.trt && !flags.ortCpu) throw new ConfigError('inspect needs a check to run: --trt or --ort-cpu');
  const model = readModel(modelPath);
  if (flags.trt) checkTensorRt(modelPath, model);
  if (flags.ortCpu) await checkOrtCpu(modelPath, model);
}
