import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readModel } from '../../core/onnx/proto.js';

/**
 * The operators ONNX Runtime's CPU execution provider runs for a model, counted by type (`com.microsoft.` prefixed
 * for contrib operators), after its graph optimizations at the `extended` level, where the QDQ fusions (QLinearConv,
 * QGemm, QLinearAdd, ...) happen; `all` adds only layout changes (NCHWc) and ORT warns when such a model is saved.
 * This is how the CPU-flavour QDQ graph is checked: a QDQ node unit ORT did not fuse shows up as DequantizeLinear ->
 * float operator -> QuantizeLinear.
 */
export async function ortCpuOperators(model: Uint8Array): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fer-edge-ort-optimized-'));
  try {
    const optimizedModelFilePath = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'extended',
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
      optimizedModelFilePath,
    });
    await session.release();
    const counts: Record<string, number> = {};
    for (const node of readModel(optimizedModelFilePath).graph.nodes) {
      const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
      counts[op] = (counts[op] ?? 0) + 1;
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
