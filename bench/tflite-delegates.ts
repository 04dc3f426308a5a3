/**
 * TFLite models through the SDK's back end with XNNPACK (fer-edge's plugin) and with TFLite's built-in kernels,
 * interleaved call by call, batch 1, one thread: ms per inference, median [25th-75th percentile].
 *
 *   node --import tsx bench/tflite-delegates.ts [--calls 200] model.tflite...
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackend } from '../src/sdk/backends/index.js';

const { values: args, positionals: models } = parseArgs({ allowPositionals: true, options: { calls: { type: 'string', default: '200' } } });
const WARMUP = 10;

for (const model of models) {
  const backends = await Promise.all((['xnnpack', 'cpu'] as const).map((delegate) => createBackend(model, { type: 'tflite', delegate, threads: 1 })));
  const spec = backends[0]!.inputs[0]!;
  const dims = spec.dims.map((d) => d ?? 1);
  const feed = { [spec.name]: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37) * 0.8), dims } };
  const times = backends.map(() => [] as number[]);
  for (let call = 0; call < Number(args.calls) + WARMUP; call++) {
    for (let b = 0; b < backends.length; b++) {
      const start = performance.now();
      await backends[b]!.run(feed);
      if (call >= WARMUP) times[b]!.push(performance.now() - start);
    }
  }
  const summary = times.map((t) => {
    const sorted = t.sort((x, y) => x - y);
    const at = (q: number): string => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(3);
    return `${at(0.5)} [${at(0.25)}-${at(0.75)}]`;
  });
  console.log(`${basename(model).padEnd(40)} ${backends[0]!.info.accelerator}: ${summary[0]} ms   ${backends[1]!.info.accelerator}: ${summary[1]} ms`);
  await Promise.all(backends.map((b) => b.close()));
}
