import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLIP } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { Service } from './helpers/service.js';
import { skipUnlessShared } from './helpers/shared.js';
import { startStallStream, type StallStream } from './helpers/stall-stream.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// fer-edge run on an IP camera (HTTP MJPEG, served by a child process) that stalls: frames, then silence on an open
// connection. The health file goes stalled and back; a pipeline that hangs is killed by its watchdog.
const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
let model: TempModel;

before(() => {
  if (!skip) model = tempPeerModel();
});
after(() => model?.cleanup());

async function setUp(t: { after(fn: () => unknown): void }, streamOptions: Parameters<typeof startStallStream>[0], config: Record<string, unknown>): Promise<{ service: Service; stream: StallStream }> {
  const dir = makeTempDir('fer-edge-stall-');
  const stream = await startStallStream(streamOptions);
  const source = { type: 'opencv', url: stream.url, ...(config.source as object | undefined) };
  const service = new Service(dir, { model: model.modelPath, ...config, source });
  t.after(async () => {
    await service.kill();
    await stream.stop();
    removeTempDir(dir);
  });
  return { service, stream };
}

test('a stream that stalls: health goes stalled, the source is reopened, health back online; SIGTERM then exits within 2 s', { skip, timeout: 60_000 }, async (t) => {
  // FFmpeg would wait 20 s on the silent connection; the read timeout (3 s) gives up on it first.
  const { service, stream } = await setUp(t, { mode: 'stall', stallAfter: 50 }, {
    source: { networkTimeoutMs: 20_000, reconnect: { readTimeoutMs: 3000, initialDelayMs: 100 } },
    health: { stallSec: 1, intervalSec: 0.25 },
  });
  const seen: string[] = [];
  const online = await service.waitForHealth((h) => h.status === 'online' && h.frames > 10, 30_000, seen);
  assert.equal(online.healthy, true);
  assert.ok(online.fps > 5 && online.fps <= 30, `fps ${online.fps} (the stream sends 25)`);
  const stalled = await service.waitForHealth((h) => h.status === 'stalled', 10_000, seen);
  assert.equal(stalled.healthy, false);
  assert.match(stalled.reason ?? '', /^no frame processed for \d+ s \(source running\)$/);
  const back = await service.waitForHealth((h) => h.status === 'online' && h.frames > stalled.frames, 10_000, seen);
  t.diagnostic(`health ${seen.join(' -> ')}; stalled at last frame + ${stalled.ts - (stalled.last_frame_ts as number)} ms, online again ${(back.last_frame_ts as number) - (stalled.last_frame_ts as number)} ms after the last frame before the stall`);
  assert.equal(stream.connections, 2);
  assert.deepEqual(seen.slice(-3), ['online', 'stalled', 'online']);

  const exit = await service.stop();
  t.diagnostic(`SIGTERM with a read still blocked on the stalled connection: exit after ${exit.ms.toFixed(0)} ms (code ${exit.code}, signal ${exit.signal})`);
  assert.ok(exit.ms < 2000, `exit ${exit.ms} ms after SIGTERM`);
  // The abandoned read would hold process.exit(): the process ends by SIGTERM's default action, health offline.
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(service.health()?.status, 'offline');
});

test('SIGTERM while reconnecting to a stream that went away: exit 0 within 2 s, health offline', { skip, timeout: 60_000 }, async (t) => {
  const { service, stream } = await setUp(t, { mode: 'stall', stallAfter: 1e9 }, { source: { reconnect: { attempts: 0 } }, health: { intervalSec: 0.25 } });
  await service.waitForHealth((h) => h.status === 'online', 30_000);
  await stream.stop();
  const reconnecting = await service.waitForHealth((h) => h.source === 'reconnecting', 10_000);
  assert.equal(reconnecting.status, 'online', 'a brief reconnect is not yet a stall');
  await new Promise((resolve) => setTimeout(resolve, 700));
  const exit = await service.stop();
  t.diagnostic(`exit after ${exit.ms.toFixed(0)} ms`);
  assert.equal(exit.code, 0);
  assert.ok(exit.ms < 2000, `exit ${exit.ms} ms after SIGTERM`);
  assert.equal(service.health()?.status, 'offline');
});

test('watchdog: a pipeline whose source blocks forever while running is killed after watchdogSec', { skip, timeout: 60_000 }, async (t) => {
  // No read timeout and a 20 s socket timeout: the read blocks, the source still says running, no frame comes.
  const { service } = await setUp(t, { mode: 'stall', stallAfter: 40 }, {
    source: { networkTimeoutMs: 20_000, reconnect: { readTimeoutMs: 0 } },
    health: { stallSec: 1, intervalSec: 0.25, watchdogSec: 2 },
  });
  await service.waitForHealth((h) => h.status === 'online', 30_000);
  const stalled = await service.waitForHealth((h) => h.status === 'stalled', 10_000);
  const exit = await service.exited;
  const killedAfterMs = Date.now() - (stalled.last_frame_ts as number);
  t.diagnostic(`killed ${killedAfterMs} ms after the last processed frame (watchdogSec 2)`);
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(killedAfterMs >= 2000 && killedAfterMs < 5000, `killed ${killedAfterMs} ms after the last frame`);
  const lines = service.stderr.split('\n').filter((line) => line.includes('watchdog'));
  assert.equal(lines.length, 1, service.stderr);
  assert.match(lines[0]!, /^fer-edge: watchdog: no frame has been processed while the source runs for \d s; killing the process/);
});

test('watchdog: an event loop blocked in a stream open (server that never answers, 20 s timeout) is killed after watchdogSec', { skip, timeout: 60_000 }, async (t) => {
  const { service, stream } = await setUp(t, { mode: 'silent' }, {
    source: { networkTimeoutMs: 20_000, reconnect: { attempts: 0 } },
    health: { watchdogSec: 2 },
  });
  while (stream.connections === 0 && service.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
  const openedAt = Date.now();
  const exit = await service.exited;
  const killedAfterMs = Date.now() - openedAt;
  t.diagnostic(`killed ${killedAfterMs} ms after the blocking open began (watchdogSec 2)`);
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(killedAfterMs >= 1500 && killedAfterMs < 5000, `killed ${killedAfterMs} ms after the open began`);
  assert.match(service.stderr, /fer-edge: watchdog: the event loop has not answered for \d s; killing the process/);
});
