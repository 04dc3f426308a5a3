import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import cv from '../src/sdk/opencv.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { spawnCli } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { Collector } from './helpers/mqtt-fixtures.js';
import { skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// The real `fer-edge run`, killed or stopped while the broker is down or faces are visible, then started again.
const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
const dir = tempDirForTests('fer-edge-outbox-run-');
let broker: Mosquitto;
brokerForTests((started) => (broker = started));
let model: TempModel;
/** A folder with one grey picture: a run on it sees no face, so whatever it publishes comes from the outbox or its start-up. */
const noFaces = join(dir, 'no-faces');

before(() => {
  if (skip) return;
  model = tempPeerModel();
  mkdirSync(noFaces);
  cv.imwrite(join(noFaces, 'grey.png'), new cv.Mat(120, 160, cv.CV_8UC3, [128, 128, 128]));
});
after(() => model?.cleanup());

interface RunHandle {
  printed: () => EmotionEvent[];
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  kill(signal: NodeJS.Signals): void;
}

/** `fer-edge run` on `source` as device `device`, with its outbox in `outboxDir`, printing events as JSON lines. */
function startRun(device: string, outboxDir: string, source: string, extra: string[] = []): RunHandle {
  const config = join(dir, `${device}.yaml`);
  writeFileSync(config, `mqtt:\n  url: ${broker.url}\n  reconnect: { minDelayMs: 100, maxDelayMs: 400 }\n  outbox: { dir: ${outboxDir} }\n`);
  const child = spawnCli(['run', '--config', config, '--source', source, '--model', model.modelPath, '--device-id', device, '--json', ...extra], { logLevel: 'info' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    printed: () => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as EmotionEvent),
    stderr: () => stderr,
    exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
    kill: (signal) => child.kill(signal),
  };
}

async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const key = (e: EmotionEvent) => `${e.face_id}/${e.frame_seq}/${e.type}`;

/** Every printed event arrived exactly once, in the printed order, followed at most by `extra` accepted but not yet printed. */
function assertDeliveredOnceInOrder(received: EmotionEvent[], printed: EmotionEvent[], extra: number): void {
  assert.equal(new Set(received.map(key)).size, received.length, 'no event arrived twice');
  assert.deepEqual(received.slice(0, printed.length), printed);
  assert.ok(received.length - printed.length <= extra, `${received.length - printed.length} events beyond those printed`);
  const byFace = new Map<number, number[]>();
  for (const event of received) byFace.set(event.face_id, [...(byFace.get(event.face_id) ?? []), event.frame_seq]);
  for (const [face, seqs] of byFace) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `face ${face} in order`);
}

/** Starts the broker again, runs on the no-face folder with the same outbox, and returns what a subscriber received. */
async function restartAndCollect(device: string, outboxDir: string): Promise<{ received: EmotionEvent[]; stderr: string }> {
  await broker.start();
  const subscriber = await Collector.connect(broker.url, `fer-edge/${device}/events`);
  try {
    const run = startRun(device, outboxDir, noFaces);
    const [code] = await run.exited;
    assert.equal(code, 0, run.stderr());
    assert.deepEqual(run.printed(), [], 'the second run saw no face');
    await sleep(200);
    return { received: subscriber.messages.map((m) => JSON.parse(m.payload) as EmotionEvent), stderr: run.stderr() };
  } finally {
    await subscriber.close();
  }
}

test('SIGKILL with the broker down, then a start with the broker up: every accepted event arrives once, in order', { skip }, async () => {
  const device = 'outbox-kill';
  const outboxDir = join(dir, device);
  await broker.stop();
  const run = startRun(device, outboxDir, clipPath, ['--playback', 'fast', '--loop']);
  await waitUntil('6 events accepted', () => run.printed().length >= 6);
  run.kill('SIGKILL');
  await run.exited;
  const printed = run.printed();
  const journal = readFileSync(join(outboxDir, 'events.jsonl'), 'utf8');
  assert.ok(journal.split('\n').filter((line) => line.startsWith('+')).length >= printed.length, 'the printed events are on disk');

  const { received, stderr } = await restartAndCollect(device, outboxDir);
  assertDeliveredOnceInOrder(received, printed, 3);
  assert.match(stderr, /events from an earlier run wait in the MQTT outbox/);
  assert.equal(existsSync(join(outboxDir, 'events.jsonl')), false, 'the outbox is empty once the broker acknowledged everything');
});

test('SIGTERM with the broker down exits at once and leaves the events on disk for the next start', { skip }, async () => {
  const device = 'outbox-term';
  const outboxDir = join(dir, device);
  await broker.stop();
  const run = startRun(device, outboxDir, clipPath, ['--playback', 'fast', '--loop']);
  await waitUntil('4 events accepted', () => run.printed().length >= 4);
  const signalledAt = Date.now();
  run.kill('SIGTERM');
  const [code] = await run.exited;
  const stopMs = Date.now() - signalledAt;
  assert.equal(code, 0, run.stderr());
  // The `end` events of every visible face come last; the log says where the rest went.
  const printed = run.printed();
  assert.ok(printed.some((e) => e.type === 'end'));
  assert.match(run.stderr(), /unacknowledged events stay in the outbox on disk for the next start/);
  assert.doesNotMatch(run.stderr(), /they are lost/);
  assert.ok(stopMs < 5000, `stopped ${stopMs} ms after SIGTERM`);

  const { received } = await restartAndCollect(device, outboxDir);
  assertDeliveredOnceInOrder(received, printed, 0);
});

test('retained face states a killed run left are cleared by the next start of the same device', { skip }, async () => {
  const device = 'stale-faces';
  const outboxDir = join(dir, device);
  await broker.start();
  const faces = await Collector.connect(broker.url, `fer-edge/${device}/faces/+`);
  const run = startRun(device, outboxDir, clipPath, ['--playback', 'fast', '--loop']);
  try {
    await faces.waitFor('a visible face', () => faces.messages.some((m) => m.payload !== ''), 60_000);
  } finally {
    run.kill('SIGKILL');
    await run.exited;
    await faces.close();
  }
  const retained = async (): Promise<string[]> => {
    const late = await Collector.connect(broker.url, `fer-edge/${device}/faces/+`);
    await sleep(300);
    await late.close();
    return late.messages.filter((m) => m.retain && m.payload !== '').map((m) => m.topic);
  };
  const stale = await retained();
  assert.ok(stale.length > 0, 'the killed run left retained face states');

  const again = startRun(device, outboxDir, noFaces);
  const [code] = await again.exited;
  assert.equal(code, 0, again.stderr());
  assert.match(again.stderr(), /clearing retained face states an earlier run left/);
  assert.deepEqual(await retained(), []);
});
