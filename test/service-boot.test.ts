import assert from 'node:assert/strict';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { freePort } from './helpers/mosquitto.js';
import { Service } from './helpers/service.js';
import { skipUnlessShared } from './helpers/shared.js';
import { startStallStream } from './helpers/stall-stream.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// A robot's service starts before its camera: fer-edge run waits for the source (reconnect attempts 0), says so in
// its health file, and starts work as soon as the source appears; a stop while it waits is prompt.
const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
let model: TempModel;
let dir: string;

before(() => {
  if (!skip) model = tempPeerModel();
});
after(() => model?.cleanup());

function workDir(t: { after(fn: () => void): void }): string {
  dir = makeTempDir('fer-edge-boot-');
  t.after(() => removeTempDir(dir));
  return dir;
}

test('boot without the camera: health says waiting, and events start within 3 s of the source appearing', { skip, timeout: 60_000 }, async (t) => {
  const work = workDir(t);
  const camera = join(work, 'camera.mp4');
  // Played as fast as it decodes (and looped), so that the clip's first face comes without waiting for its time.
  const source = { type: 'opencv', file: camera, playback: 'fast', loop: true, reconnect: { attempts: 0 } };
  const service = new Service(work, { model: model.modelPath, source, health: { intervalSec: 1 } });
  t.after(() => service.kill());
  const waiting = await service.waitForHealth((h) => h.status === 'waiting');
  assert.equal(waiting.schema, 'fer-edge/health@1');
  assert.equal(waiting.healthy, false);
  assert.equal(waiting.source, 'waiting');
  assert.equal(waiting.frames, 0);
  assert.equal(waiting.last_frame_ts, null);
  assert.equal(waiting.pid, service.child.pid);
  assert.match(waiting.reason ?? '', /^waiting for file .*camera\.mp4: no such file$/);
  // Still waiting a while later (no exit, no give-up).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(service.health()?.status, 'waiting');

  // The camera appears (whole, as a device node does).
  copyFileSync(clipPath, join(work, 'copy.tmp'));
  const appeared = Date.now();
  renameSync(join(work, 'copy.tmp'), camera);
  const online = await service.waitForHealth((h) => h.status === 'online', 10_000);
  const firstFrameMs = (online.last_frame_ts as number) - appeared;
  while (service.events().length === 0 && Date.now() - appeared < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
  const firstEventMs = Date.now() - appeared;
  t.diagnostic(`source appeared -> first frame processed ${firstFrameMs} ms, first event printed ${firstEventMs} ms`);
  assert.ok(firstFrameMs < 2000, `first frame ${firstFrameMs} ms after the source appeared`);
  assert.ok(firstEventMs < 3000, `first event ${firstEventMs} ms after the source appeared`);
  assert.equal(online.healthy, true);
  assert.equal(online.source, 'running');

  const exit = await service.stop();
  t.diagnostic(`SIGTERM while running: exit after ${exit.ms.toFixed(0)} ms`);
  assert.equal(exit.code, 0);
  assert.ok(exit.ms < 2000, `exit ${exit.ms} ms after SIGTERM`);
  assert.equal(service.health()?.status, 'offline');
});

test('SIGTERM while waiting for a stream whose port is closed: exit 0 within 2 s, health offline', { skip, timeout: 60_000 }, async (t) => {
  const work = workDir(t);
  const port = await freePort();
  const service = new Service(work, { model: model.modelPath, source: { type: 'opencv', url: `http://127.0.0.1:${port}/camera.mjpg`, reconnect: { attempts: 0 } } });
  t.after(() => service.kill());
  await service.waitForHealth((h) => h.status === 'waiting');
  const exit = await service.stop();
  t.diagnostic(`exit after ${exit.ms.toFixed(0)} ms`);
  assert.equal(exit.code, 0);
  assert.ok(exit.ms < 2000, `exit ${exit.ms} ms after SIGTERM`);
  const health = service.health();
  assert.equal(health?.status, 'offline');
  assert.equal(health?.healthy, false);
});

test('SIGTERM while opening a stream whose server accepts and never answers: exit within 2 s, health offline', { skip, timeout: 60_000 }, async (t) => {
  const work = workDir(t);
  const stream = await startStallStream({ mode: 'silent' });
  t.after(() => stream.stop());
  const service = new Service(work, { model: model.modelPath, source: { type: 'opencv', url: stream.url, reconnect: { attempts: 0 } } });
  t.after(() => service.kill());
  await service.waitForHealth((h) => h.status === 'waiting');
  // Each open blocks the process for up to networkTimeoutMs (1 s): signal in the middle of one.
  const connections = stream.connections;
  while (stream.connections === connections) await new Promise((resolve) => setTimeout(resolve, 10));
  const exit = await service.stop();
  t.diagnostic(`exit after ${exit.ms.toFixed(0)} ms (code ${exit.code}, signal ${exit.signal})`);
  assert.equal(exit.code, 0);
  assert.ok(exit.ms < 2000, `exit ${exit.ms} ms after SIGTERM`);
  assert.equal(service.health()?.status, 'offline');
});
