/**
 * ONNX models on ONNX Runtime's CPU EP side by side: per-face latency with the models interleaved call by call (so a
 * busy machine slows them alike), and with --profile ORT's own profile summed per operator type (what the QDQ flavours
 * turn into after ORT's graph optimizations). One intra-op thread, graph optimization `all`, as the SDK runs them.
 *
 *   node --import tsx bench/ort-ops.ts [--batch 1,4,16] [--calls 400] [--profile] model.onnx...
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';

const { values: args, positionals: models } = parseArgs({
  allowPositionals: true,
  options: { batch: { type: 'string', default: '1,4,16' }, calls: { type: 'string', default: '400' }, profile: { type: 'boolean', default: false } },
});
const WARMUP = 20;

function input(session: ort.InferenceSession, batch: number): Record<string, ort.Tensor> {
  const shape = (session.inputMetadata[0] as unknown as { shape: readonly (number | string)[] }).shape;
  const dims = shape.map((d, i) => (i === 0 ? batch : typeof d === 'number' ? d : 64));
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37) * 0.8);
  return { [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;

async function latency(batch: number): Promise<void> {
  const sessions = await Promise.all(models.map((m) => ort.InferenceSession.create(readFileSync(m), { graphOptimizationLevel: 'all', intraOpNumThreads: 1 })));
  const feeds = sessions.map((s) => input(s, batch));
  const times = models.map(() => [] as number[]);
  const rounds = Math.max(20, Math.round(Number(args.calls) / batch));
  for (let round = 0; round < rounds + WARMUP; round++) {
    for (let m = 0; m < sessions.length; m++) {
      const start = performance.now();
      await sessions[m]!.run(feeds[m]!);
      if (round >= WARMUP) times[m]!.push((performance.now() - start) / batch);
    }
  }
  for (let m = 0; m < models.length; m++) {
    const sorted = times[m]!.sort((a, b) => a - b);
    const [p10, p25, p50, p75] = [0.1, 0.25, 0.5, 0.75].map((q) => quantile(sorted, q).toFixed(3));
    console.log(`${basename(models[m]!).padEnd(36)} batch ${String(batch).padStart(2)}: ${p50} ms/face [${p25}-${p75}], p10 ${p10}`);
  }
  await Promise.all(sessions.map((s) => s.release()));
}

async function profile(model: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fer-edge-ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(readFileSync(model), { graphOptimizationLevel: 'all', intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: join(dir, 'profile') });
    const feed = input(session, 1);
    const calls = Number(args.calls);
    for (let i = 0; i < calls; i++) await session.run(feed);
    session.endProfiling();
    await session.release();
    const file = join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!);
    const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
    const byOp = new Map<string, { us: number; nodes: number }>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
      const entry = byOp.get(event.args?.op_name ?? '?') ?? { us: 0, nodes: 0 };
      entry.us += event.dur;
      entry.nodes++;
      byOp.set(event.args?.op_name ?? '?', entry);
    }
    const total = [...byOp.values()].reduce((sum, e) => sum + e.us, 0);
    console.log(`${basename(model)}: ${(total / calls / 1000).toFixed(3)} ms of kernels per call (batch 1)`);
    for (const [op, { us, nodes }] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
      console.log(`  ${op.padEnd(28)} ${(us / calls / 1000).toFixed(3)} ms  ${String(nodes / calls).padStart(4)} nodes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (models.length === 0) throw new Error('usage: node --import tsx bench/ort-ops.ts [--batch 1,4,16] [--calls N] [--profile] model.onnx...');
if (args.profile) for (const model of models) await profile(model);
else for (const batch of args.batch.split(',').map(Number)) await latency(batch);
