/**
 * What the preview page costs the pipeline, on the demo clip, in three set-ups run in turn: no preview at all, the
 * preview with nobody watching, and the preview with one viewer (a WebSocket client in another process that takes
 * every frame sent, as a browser tab would; its own CPU is not counted).
 *   - fast playback (as fast as frames decode): wall milliseconds and process CPU milliseconds per frame
 *   - realtime playback (24 frames/s, like a camera): process CPU, as a percentage of one core
 *   - the JPEG encoding alone (OpenCV, 640x360): milliseconds per frame, and the bytes sent per frame
 * Every figure is the median (and IQR) of the runs.
 *
 *   node --import tsx bench/preview-cost.ts [--runs 5] [--fast-frames 720] [--no-realtime]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { spread, type Spread } from '../src/bench/stats.js';
import { Pipeline } from '../src/sdk/pipeline.js';
import { encodeFrameJpeg } from '../src/sdk/preview/frame-jpeg.js';
import { PreviewSink } from '../src/sdk/sinks/preview-sink.js';
import { createSource } from '../src/sdk/capture/index.js';
import { clipConfig, clipSource } from '../test/helpers/clip.js';
import { repoRoot } from '../test/helpers/shared.js';
import type { PipelineConfigInput } from '../src/sdk/config.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'fast-frames': { type: 'string', default: '720' },
    'no-realtime': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const fastFrames = Number(values['fast-frames']);
const show = (s: Spread, digits = 2): string => `${s.median.toFixed(digits)} [${s.p25.toFixed(digits)}-${s.p75.toFixed(digits)}]`;

type Setup = 'no preview' | 'preview, no viewer' | 'preview, one viewer';
const SETUPS: Setup[] = ['no preview', 'preview, no viewer', 'preview, one viewer'];

interface RunFigures {
  wallMsPerFrame: number;
  cpuMsPerFrame: number;
  cpuPercent: number;
  encoded: number;
  bytesReceived: number;
}

/** A viewer in its own process: connects, counts the bytes it receives, prints them when told to stop (stdin closes). */
const VIEWER_SCRIPT = `
import WebSocket from 'ws';
let bytes = 0;
const socket = new WebSocket(process.argv[1]);
socket.on('message', (data) => { bytes += data.length; });
socket.on('open', () => console.log('open'));
process.stdin.on('end', () => { console.log(String(bytes)); socket.terminate(); });
process.stdin.resume();
`;

async function startViewer(pageUrl: string): Promise<ChildProcess & { stdout: NodeJS.ReadableStream }> {
  const socketUrl = new URL('ws', pageUrl);
  socketUrl.protocol = 'ws:';
  const viewer = spawn(process.execPath, ['--input-type=module', '-e', VIEWER_SCRIPT, socketUrl.href], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await once(viewer.stdout!, 'data');
  return viewer as ChildProcess & { stdout: NodeJS.ReadableStream };
}

async function stopViewer(viewer: ChildProcess & { stdout: NodeJS.ReadableStream }): Promise<number> {
  let output = '';
  viewer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  viewer.stdin!.end();
  await once(viewer, 'exit');
  return Number(output.trim().split('\n').at(-1));
}

async function measure(setup: Setup, config: PipelineConfigInput, maxFrames: number): Promise<RunFigures> {
  const pipeline = await Pipeline.create(config, { maxFrames });
  const sink = setup === 'no preview' ? undefined : await PreviewSink.start({ host: '127.0.0.1', port: 0, maxFps: 15, jpegQuality: 75 });
  if (sink) pipeline.attach(sink);
  const viewer = setup === 'preview, one viewer' ? await startViewer(sink!.url) : undefined;
  if (viewer) while (pipeline.stats.preview?.viewers !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
  const cpu = process.cpuUsage();
  const start = performance.now();
  let frames = 0;
  pipeline.on('result', () => frames++);
  try {
    await pipeline.run();
  } finally {
    await pipeline.stop();
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const encoded = pipeline.stats.preview?.encoded_frames ?? 0;
  const bytesReceived = viewer ? await stopViewer(viewer) : 0;
  return { wallMsPerFrame: wallMs / frames, cpuMsPerFrame: cpuMs / frames, cpuPercent: (cpuMs / wallMs) * 100, encoded, bytesReceived };
}

/** OpenCV's JPEG encoding alone, on the clip's frames. */
async function encodeMs(): Promise<{ ms: Spread; bytes: Spread }> {
  const source = createSource(clipSource());
  await source.open();
  const ms: number[] = [];
  const bytes: number[] = [];
  try {
    for (let frame = await source.read(); frame; frame = await source.read()) {
      const start = performance.now();
      const jpeg = encodeFrameJpeg(frame, 75);
      ms.push(performance.now() - start);
      bytes.push(jpeg.length);
      (frame.data as { release?: () => void }).release?.();
    }
  } finally {
    await source.close();
  }
  return { ms: spread(ms), bytes: spread(bytes) };
}

const modes: Array<{ name: string; config: PipelineConfigInput; frames: number }> = [
  { name: 'fast', config: clipConfig({ source: clipSource({ loop: true }) }), frames: fastFrames },
  ...(values['no-realtime'] ? [] : [{ name: 'realtime', config: clipConfig({ source: clipSource({ playback: 'realtime' }) }), frames: 240 }]),
];

const encoding = await encodeMs();
console.log(`JPEG encoding (OpenCV, quality 75, 640x360, the clip's 240 frames): ${show(encoding.ms)} ms per frame, ${(encoding.bytes.median / 1024).toFixed(1)} KiB`);

for (const mode of modes) {
  const figures = new Map<Setup, RunFigures[]>(SETUPS.map((setup) => [setup, []]));
  // The set-ups take turns within each run, so that a change in the machine's load falls on all of them.
  for (let run = 0; run < runs; run++) for (const setup of SETUPS) figures.get(setup)!.push(await measure(setup, mode.config, mode.frames));
  console.log(`\n${mode.name} playback, ${mode.frames} frames per run, ${runs} runs (median [IQR]):`);
  for (const [setup, list] of figures) {
    const of = (pick: (f: RunFigures) => number): Spread => spread(list.map(pick));
    const sent = of((f) => f.encoded);
    const perSecond = of((f) => f.encoded / ((f.wallMsPerFrame * mode.frames) / 1000));
    const extra = setup === 'preview, one viewer' ? `; frames sent ${sent.median.toFixed(0)} (${perSecond.median.toFixed(1)}/s), ${(of((f) => f.bytesReceived).median / 1024 / 1024).toFixed(1)} MiB` : `; frames encoded ${sent.median.toFixed(0)}`;
    console.log(
      `  ${setup.padEnd(20)} wall ${show(of((f) => f.wallMsPerFrame))} ms/frame, CPU ${show(of((f) => f.cpuMsPerFrame))} ms/frame, ` +
        `CPU ${show(of((f) => f.cpuPercent), 1)}% of a core${extra}`,
    );
  }
}
