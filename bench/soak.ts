/**
 * Soak: `fer-edge run` as a robot's service runs it, for a long time, on the demo clip looped at its own pace (24
 * frames/s), publishing to a real mosquitto that the bench stops and starts again a few times. Reports, without
 * passing or failing on any of them:
 *   - the process's resident memory, V8 heap (from its stats topic) and open file descriptors: drift after warm-up
 *   - every event it printed (`--json`, the events handed to MQTT) against those a subscriber received: lost, duplicated
 *   - frame-to-MQTT latency: the event's frame time (`ts`) to its arrival at the subscriber, on one clock
 *   - frames/s, from the health file
 * A line per sample on the terminal; a CSV of the samples, a text summary and an SVG plot in --out.
 *
 *   node --import tsx bench/soak.ts [--minutes 30] [--broker-restarts 3] [--outage-s 10,15,20] [--sample-s 10]
 *     [--warmup-s N] [--out bench/results] [--no-build | --tsx]
 *
 * By default it builds dist/ (tsc) first and runs the compiled CLI, as installed on a robot; --no-build runs the
 * dist/ already there, --tsx the TypeScript sources. Ctrl-C ends the run early and still writes the results.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { machineInfo } from '../src/bench/machine.js';
import { percentile } from '../src/bench/stats.js';
import { clipPath } from '../test/helpers/clip.js';
import { Mosquitto } from '../test/helpers/mosquitto.js';
import { repoRoot } from '../test/helpers/shared.js';
import { makeTempDir } from '../test/helpers/temp-dir.js';
import { drift, type Drift } from './soak/drift.js';
import { EventLedger, isEventIdentity, type Outage } from './soak/event-ledger.js';
import { readHealth, type HealthReading } from './soak/health-reading.js';
import { soakPlotSvg } from './soak/plot.js';
import { readProcess } from './soak/process-reading.js';
import { subscribeDevice } from './soak/subscriber.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'broker-restarts': { type: 'string', default: '3' },
    'outage-s': { type: 'string', default: '10,15,20' },
    'sample-s': { type: 'string', default: '10' },
    'warmup-s': { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    'no-build': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const restarts = Number(values['broker-restarts']);
const outagesS = values['outage-s'].split(',').map(Number);
const sampleMs = Number(values['sample-s']) * 1000;
const warmupMs = values['warmup-s'] !== undefined ? Number(values['warmup-s']) * 1000 : Math.min(120_000, durationMs / 3);
if (!(durationMs > 0 && sampleMs > 0 && warmupMs >= 0 && Number.isInteger(restarts) && restarts >= 0 && outagesS.every((s) => s > 0))) {
  throw new Error('--minutes, --sample-s and --outage-s must be positive, --broker-restarts a whole number, --warmup-s at least 0');
}
if (!existsSync(clipPath)) throw new Error(`the demo clip is missing: ${clipPath}`);

const LATENCY_AIM_MS = 20;
const DRIFT_AIM_PERCENT = 5;
const DEVICE_ID = 'soak';
const TOPIC_BASE = `fer-edge/${DEVICE_ID}/`;

// --- the CLI, as a robot runs it -------------------------------------------------------------------------------------
const cliArgs = values.tsx ? ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts')] : [join(repoRoot, 'dist/src/cli/main.js')];
if (!values.tsx && !values['no-build']) {
  console.log('building dist/ (tsc) ...');
  const build = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('tsc failed');
}
if (!values.tsx && !existsSync(cliArgs[0]!)) throw new Error('no dist/src/cli/main.js: build first (npm run build) or pass --tsx');

const machine = machineInfo();
const workDir = makeTempDir('fer-edge-soak-');
const healthFile = join(workDir, 'health.json');
const logFile = join(workDir, 'fer-edge.log');
const broker = await Mosquitto.start({ persistence: true });

// --- what the subscriber and the process report ----------------------------------------------------------------------
const ledger = new EventLedger();
const acceptedAt: number[] = [];
const outages: Outage[] = [];
const brokerStarts: number[] = [];
let lastStats: { at: number; heapMiB?: number; dropped?: number } | undefined;
let malformedEvents = 0;

const subscriber = await subscribeDevice(broker.url, TOPIC_BASE, {
  event(payload, arrivedAt) {
    if (isEventIdentity(payload)) ledger.receive(payload, arrivedAt);
    else malformedEvents++;
  },
  stats(payload, at) {
    const memory = payload.memory as { heap_used_mib?: unknown } | undefined;
    const mqtt = payload.mqtt as { dropped?: unknown } | undefined;
    lastStats = {
      at,
      heapMiB: typeof memory?.heap_used_mib === 'number' ? memory.heap_used_mib : undefined,
      dropped: typeof mqtt?.dropped === 'number' ? mqtt.dropped : undefined,
    };
  },
  online(at) {
    // The outage ends when the device is connected again and its messages reach the subscriber.
    const open = outages.at(-1);
    if (open && open.to === undefined && brokerStarts.length === outages.length && at >= brokerStarts.at(-1)!) open.to = at;
  },
});

const started = Date.now();
const child = spawn(
  process.execPath,
  [...cliArgs, 'run', '--source', clipPath, '--loop', '--playback', 'realtime', '--broker', broker.url, '--device-id', DEVICE_ID, '--health-file', healthFile, '--json'],
  // Its own process group: a Ctrl-C at the terminal is for the bench, which then stops the service as systemd would.
  { cwd: repoRoot, env: { ...process.env, FER_EDGE_LOG_LEVEL: 'info', FER_EDGE_LOG_FORMAT: undefined }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
);
const pid = child.pid!;
process.once('exit', () => child.kill('SIGKILL'));
child.stderr.pipe(createWriteStream(logFile));
createInterface({ input: child.stdout }).on('line', (line) => {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return;
  }
  if (!isEventIdentity(event)) return;
  ledger.accept(event);
  acceptedAt.push(Date.now());
});
let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
// 'close': the process has exited and its stdout is read to the end, so every event it printed is in the ledger.
const exited = once(child, 'close').then(([code, signal]) => (exit = { code, signal, at: Date.now() }));

const interrupt = new AbortController();
process.once('SIGINT', () => {
  console.log('\ninterrupted: stopping and writing the results so far');
  interrupt.abort();
});
const until = (at: number) => sleep(Math.max(0, at - Date.now()), undefined, { signal: interrupt.signal }).catch(() => undefined);
const running = () => !interrupt.signal.aborted && !exit;

console.log(
  `soak: fer-edge run (${values.tsx ? 'tsx' : 'dist'}) pid ${pid}, ${values.minutes} min, ${restarts} broker restart(s), ` +
    `samples every ${sampleMs / 1000} s, warm-up ${(warmupMs / 1000).toFixed(0)} s; broker ${broker.url}; log ${logFile}`,
);

// --- broker restarts, spread over the run ----------------------------------------------------------------------------
const restartsDone = (async () => {
  for (let i = 0; i < restarts; i++) {
    await until(started + (durationMs * (i + 1)) / (restarts + 1));
    if (!running()) return;
    const downS = outagesS[i % outagesS.length]!;
    console.log(`          broker stopped for ${downS} s`);
    await broker.stop();
    outages.push({ from: Date.now() });
    await until(Date.now() + downS * 1000);
    await broker.start();
    brokerStarts.push(Date.now());
    console.log('          broker started again');
  }
})();

// --- samples ---------------------------------------------------------------------------------------------------------
interface Sample {
  at: number;
  rssMiB: number;
  fds: number;
  heapMiB: number;
  fps: number;
  frames: number;
  health: string;
  queued?: number;
  brokerUp: boolean;
}
const samples: Sample[] = [];
let previousHealth: HealthReading | undefined;

async function takeSample(): Promise<Sample | undefined> {
  const at = Date.now();
  let proc;
  try {
    proc = await readProcess(pid);
  } catch {
    return undefined; // the process is gone
  }
  const health = await readHealth(healthFile);
  const fps =
    health && previousHealth && health.ts > previousHealth.ts ? ((health.frames - previousHealth.frames) * 1000) / (health.ts - previousHealth.ts) : NaN;
  if (health) previousHealth = health;
  const freshStats = lastStats && at - lastStats.at <= sampleMs ? lastStats : undefined;
  return {
    at,
    ...proc,
    heapMiB: freshStats?.heapMiB ?? NaN,
    fps,
    frames: health?.frames ?? NaN,
    health: health?.status ?? '',
    queued: health?.queued,
    brokerUp: broker.running,
  };
}

/** Latency of the events whose first copy arrived in (from, to], split as EventLedger.deliveries does. */
function windowLatency(from: number, to: number) {
  const { steady, held } = ledger.deliveries(outages);
  const inWindow = (d: { arrivedAt: number }) => d.arrivedAt > from && d.arrivedAt <= to;
  const latencies = steady.filter(inWindow).map((d) => d.latencyMs);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), delivered: latencies.length, held: held.filter(inWindow).length };
}

const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

for (let i = 1; running() && started + i * sampleMs <= started + durationMs; i++) {
  await until(started + i * sampleMs);
  if (!running()) break;
  const sample = await takeSample();
  if (!sample) break;
  samples.push(sample);
  const from = samples.at(-2)?.at ?? started;
  const latency = windowLatency(from, sample.at);
  const accepted = acceptedAt.filter((t) => t > from && t <= sample.at).length;
  console.log(
    `[${clock(sample.at - started).padStart(5)}] RSS ${fixed(sample.rssMiB)} MiB, heap ${fixed(sample.heapMiB)} MiB, ${sample.fds} fds, ` +
      `${fixed(sample.fps)} frames/s; events +${accepted} printed, +${latency.delivered + latency.held} received` +
      (latency.held ? ` (${latency.held} held by the outage)` : '') +
      `; latency p50 ${fixed(latency.p50)} ms, p99 ${fixed(latency.p99)} ms; broker ${sample.brokerUp ? 'up' : 'DOWN'}` +
      (sample.health ? `, health ${sample.health}` : '') +
      (sample.queued !== undefined ? `, queued ${sample.queued}` : ''),
  );
}

// --- the end: broker up, the process stopped as a service manager would, the last events collected -------------------
await restartsDone;
if (!broker.running) await broker.start();
const endedEarly = exit ? `fer-edge exited by itself (code ${exit.code}, signal ${exit.signal}) after ${clock(exit.at - started)}` : undefined;
if (endedEarly) console.log(endedEarly);
const stopAsked = Date.now();
if (!exit) {
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
  if (!stopped) {
    console.log('fer-edge did not exit within 30 s of SIGTERM: killed');
    child.kill('SIGKILL');
    await exited;
  }
}
const stopSeconds = (exit!.at - stopAsked) / 1000;
for (const deadline = Date.now() + 15_000; !ledger.complete && Date.now() < deadline; ) await sleep(100);
await subscriber.endAsync();
await broker.dispose();
const finished = Date.now();
const finalHealth = await readHealth(healthFile);

// --- results ---------------------------------------------------------------------------------------------------------
const totals = ledger.totals();
const { steady, held } = ledger.deliveries(outages);
const steadyMs = steady.map((d) => d.latencyMs);
const heldMs = held.map((d) => d.latencyMs);
const afterWarmup = samples.filter((s) => s.at - started >= warmupMs);
const series = (pick: (s: Sample) => number) => afterWarmup.map((s) => ({ seconds: (s.at - started) / 1000, value: pick(s) }));
const rss = drift(series((s) => s.rssMiB));
const heap = drift(series((s) => s.heapMiB));
const fds = drift(series((s) => s.fds));
const fpsValues = samples.slice(1).map((s) => s.fps).filter(Number.isFinite);
const reconnects = outages.map((o, i) => ({ downS: ((brokerStarts[i] ?? finished) - o.from) / 1000, backS: o.to === undefined ? NaN : (o.to - brokerStarts[i]!) / 1000 }));
const loadEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;

const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const driftLine = (name: string, d: Drift | undefined, unit: string, aim = true) =>
  d
    ? `${name} after warm-up: ${d.start.toFixed(1)} -> ${d.end.toFixed(1)}${unit}, drift ${signed(d.percent, 1)}%` +
      `${aim ? ` (aim within ${DRIFT_AIM_PERCENT}%)` : ''}, trend ${signed(d.perHour, 1)}${unit} an hour, max ${d.max.toFixed(1)}${unit}`
    : `${name}: not enough samples after warm-up`;
const summary = [
  `fer-edge soak, ${new Date(started).toISOString().slice(0, 16)}Z: ${clock(finished - started)} (asked ${values.minutes} min), ` +
    `the demo clip looped at 24 frames/s, fer-edge run from ${values.tsx ? 'the TypeScript sources (tsx)' : 'dist/'}, mosquitto on loopback`,
  `machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, load average ${machine.loadAverage} at the start, ${loadEnd} at the end`,
  ...(endedEarly ? [`!! ${endedEarly}`] : []),
  `broker restarts: ${reconnects.length}` +
    (reconnects.length
      ? ` (down ${reconnects.map((r) => r.downS.toFixed(0)).join(', ')} s; fer-edge and the subscriber back ${reconnects.map((r) => fixed(r.backS)).join(', ')} s after each start)`
      : ''),
  driftLine('RSS', rss, ' MiB'),
  driftLine('V8 heap used', heap, ' MiB', false),
  driftLine('open fds', fds, ''),
  `events: accepted ${totals.accepted}, delivered ${totals.delivered}, lost ${totals.lost}, duplicated ${totals.duplicated}` +
    `${totals.unknown ? `, received but never printed ${totals.unknown}` : ''}${malformedEvents ? `, malformed ${malformedEvents}` : ''}; ` +
    `${totals.faces} faces, ${totals.facesWithMismatch.length ? `not exactly once on faces ${totals.facesWithMismatch.join(', ')}` : 'each face\'s events all exactly once'}` +
    (lastStats?.dropped !== undefined ? `; outbox dropped ${lastStats.dropped} (last stats)` : ''),
  `latency frame -> MQTT subscriber, events sent while connected (${steadyMs.length}): p50 ${fixed(percentile(steadyMs, 0.5))} ms, ` +
    `p99 ${fixed(percentile(steadyMs, 0.99))} ms, max ${fixed(Math.max(...steadyMs))} ms (aim p99 <= ${LATENCY_AIM_MS} ms)`,
  `events held by an outage (${heldMs.length}): delivered ${fixed(percentile(heldMs, 0.5) / 1000)} s (median), at most ${fixed(Math.max(...heldMs) / 1000)} s after their frame`,
  `frames/s per ${sampleMs / 1000}-s sample: mean ${fixed(fpsValues.reduce((a, b) => a + b, 0) / fpsValues.length)}, min ${fixed(Math.min(...fpsValues))}; ` +
    `frames processed ${finalHealth?.frames ?? samples.at(-1)?.frames ?? '-'}; stopped ${stopSeconds.toFixed(1)} s after SIGTERM (exit code ${exit!.code ?? exit!.signal})`,
];

const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });
const stem = join(outDir, `${new Date(started).toISOString().slice(0, 10)}-soak-${values.minutes}min`);
const csvHeader = 'elapsed_s,rss_mib,heap_used_mib,fds,fps,frames,events_printed,events_received,held_by_outage,latency_p50_ms,latency_p99_ms,broker,health,queued';
const csvRows = samples.map((s, i) => {
  const from = samples[i - 1]?.at ?? started;
  const latency = windowLatency(from, s.at);
  const printed = acceptedAt.filter((t) => t > from && t <= s.at).length;
  const cells = [((s.at - started) / 1000).toFixed(1), fixed(s.rssMiB), fixed(s.heapMiB), s.fds, fixed(s.fps, 2), s.frames, printed];
  cells.push(latency.delivered + latency.held, latency.held, fixed(latency.p50, 2), fixed(latency.p99, 2), s.brokerUp ? 'up' : 'down', s.health, s.queued ?? '');
  return cells.map((c) => (c === '-' ? '' : String(c))).join(',');
});
writeFileSync(`${stem}.csv`, [csvHeader, ...csvRows].join('\n') + '\n');
writeFileSync(`${stem}.txt`, summary.join('\n') + '\n');
const minutes = (at: number) => (at - started) / 60_000;
writeFileSync(
  `${stem}.svg`,
  soakPlotSvg({
    title: `fer-edge soak: ${clock(finished - started)} on the demo clip at 24 frames/s, ${outages.length} MQTT broker restart(s)`,
    samples: samples.map((s, i) => ({
      minutes: minutes(s.at),
      rssMiB: s.rssMiB,
      heapMiB: s.heapMiB,
      fds: s.fds,
      fps: s.fps,
      p99Ms: windowLatency(samples[i - 1]?.at ?? started, s.at).p99,
    })),
    outages: outages.map((o, i) => ({ from: minutes(o.from), to: minutes(brokerStarts[i] ?? finished) })),
    warmupMinutes: warmupMs / 60_000,
    durationMinutes: Math.max(durationMs, finished - started) / 60_000,
    latencyAimMs: LATENCY_AIM_MS,
  }),
);
console.log(`\n${summary.join('\n')}\n\nwritten: ${stem}.{csv,txt,svg}`);
if (endedEarly) process.exitCode = 1;
