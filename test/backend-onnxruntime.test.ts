import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBackend, type ModelBackend } from '../src/sdk/backends/index.js';
import type { OnnxRuntimeBackend } from '../src/sdk/backends/onnxruntime.js';
import { ConfigError } from '../src/core/errors.js';
import type { ModelInputSpec } from '../src/sdk/model/manifest-types.js';
import { runTsSnippet } from './helpers/child-script.js';
import { faceBatch, FER_VAL, ferValFaces } from './helpers/fer-faces.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const PEER_INPUT: ModelInputSpec = { name: 'input', layout: 'NCHW', height: 64, width: 64, channels: 1, color: 'gray', mean: [0.5], std: [0.5], dtype: 'float32' };

describe('onnxruntime back end on the mini-Xception peer model', { skip: skipUnlessShared(PEER_MODEL) || skipUnlessShared(FER_VAL) }, () => {
  let backend: ModelBackend;
  before(async () => {
    backend = await createBackend(sharedPath(PEER_MODEL), { type: 'onnxruntime', intraOpThreads: 1 });
  });
  after(() => backend.close());

  test('reports its real tensors and falls back to CPU here, saying why', () => {
    assert.equal(backend.info.runtime, 'onnxruntime');
    assert.equal(backend.info.accelerator, 'cpu');
    assert.deepEqual(backend.inputs, [{ name: 'input', dtype: 'float32', dims: [null, 1, 64, 64] }]);
    assert.deepEqual(backend.outputs, [{ name: 'probabilities', dtype: 'float32', dims: [null, 7] }]);
    const fallbacks = (backend as OnnxRuntimeBackend).fallbacks;
    assert.deepEqual(fallbacks.map((f) => f.provider), ['tensorrt', 'cuda']);
    for (const { reason } of fallbacks) assert.match(reason, /libonnxruntime_providers_(tensorrt|cuda)\.so|does not support/);
  });

  test('a batch of 5 real faces gives the same result per face as 5 single runs', async () => {
    const faces = ferValFaces(1).slice(0, 5);
    const batch = faceBatch(faces.map((f) => f.path), PEER_INPUT);
    const batched = await backend.run({ input: batch });
    const probabilities = batched.probabilities!;
    assert.deepEqual(probabilities.dims, [5, 7]);
    for (let i = 0; i < 5; i++) {
      const one = faceBatch([faces[i]!.path], PEER_INPUT);
      const single = await backend.run({ input: one });
      const expected = single.probabilities!.data;
      const got = probabilities.data.subarray(i * 7, (i + 1) * 7);
      for (let k = 0; k < 7; k++) assert.ok(Math.abs(got[k]! - expected[k]!) < 1e-6, `face ${i} class ${k}: ${got[k]} vs ${expected[k]}`);
    }
  });

  test('the configuration is validated', async () => {
    await assert.rejects(createBackend(sharedPath(PEER_MODEL), { type: 'onnxruntime', executionProviders: ['opencl'] } as never), ConfigError);
    await assert.rejects(createBackend(sharedPath(PEER_MODEL), { type: 'tpu' } as never), /backend config: field "type"/);
  });

  test('CPU only: no fallback', async () => {
    const cpu = (await createBackend(sharedPath(PEER_MODEL), { type: 'onnxruntime', executionProviders: ['cpu'], graphOptimizationLevel: 'basic' })) as OnnxRuntimeBackend;
    assert.deepEqual(cpu.fallbacks, []);
    await cpu.close();
  });
});

test('the provider fallback is logged once, on stderr, and CPU runs', { skip: skipUnlessShared(PEER_MODEL) }, () => {
  const result = runTsSnippet(
    `import { createBackend } from '{{repo}}/src/sdk/backends/index.ts';
     const model = ${JSON.stringify(sharedPath(PEER_MODEL))};
     const a = await createBackend(model);
     const b = await createBackend(model);
     const out = await a.run({ input: { data: new Float32Array(64 * 64), dims: [1, 1, 64, 64] } });
     console.log(a.info.accelerator, out.probabilities.dims.join('x'));
     await a.close(); await b.close();`,
    { FER_EDGE_LOG_LEVEL: 'info' },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'cpu 1x7');
  const lines = result.stderr.split('\n').filter((line) => line.includes('falling back'));
  assert.equal(lines.filter((line) => line.includes('execution provider tensorrt unavailable')).length, 1, result.stderr);
  assert.equal(lines.filter((line) => line.includes('execution provider cuda unavailable')).length, 1, result.stderr);
  // ONNX Runtime's own native error for the missing provider library must not leak out.
  assert.doesNotMatch(result.stderr, /provider_bridge_ort/);
});
