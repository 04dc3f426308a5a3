import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { Mosquitto } from './helpers/mosquitto.js';
import { Service } from './helpers/service.js';
import { skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// The MQTT side is part of a robot service's health: the real `fer-edge run` against a real mosquitto that goes away
// (degraded: frames flow, events queue) and one that comes back refusing the login (failed, which deploy rolls back).
const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
let model: TempModel;

before(() => {
  if (!skip) model = tempPeerModel();
});
after(() => model?.cleanup());

function serviceOn(t: { after(fn: () => void): void }, broker: Mosquitto): Service {
  const dir = makeTempDir('fer-edge-mqtt-health-');
  t.after(() => removeTempDir(dir));
  const service = new Service(dir, {
    model: model.modelPath,
    source: { type: 'opencv', file: clipPath, playback: 'realtime', loop: true },
    health: { intervalSec: 1 },
    mqtt: { url: broker.url, username: 'robot', password: 's3cret', reconnect: { minDelayMs: 100, maxDelayMs: 300 }, outbox: { dir: join(dir, 'outbox') } },
  });
  t.after(() => service.kill());
  return service;
}

test('a broker that goes away: health degraded (still healthy) with events queued, online again once it is back', { skip, timeout: 60_000 }, async (t) => {
  const broker = await Mosquitto.start();
  t.after(() => broker.dispose());
  const service = serviceOn(t, broker);
  await service.waitForHealth((h) => h.status === 'online' && h.mqtt?.state === 'connected');

  await broker.stop();
  const degraded = await service.waitForHealth((h) => h.status === 'degraded' && (h.mqtt?.queued ?? 0) > 0, 20_000);
  assert.equal(degraded.healthy, true);
  assert.equal(degraded.mqtt?.state, 'unreachable');
  assert.match(degraded.reason ?? '', /^MQTT broker unreachable: \d+ events queued$/);

  await broker.start();
  const back = await service.waitForHealth((h) => h.status === 'online' && h.mqtt?.state === 'connected' && h.mqtt.queued === 0, 20_000);
  assert.equal(back.healthy, true);
  assert.equal(back.mqtt?.dropped, 0);
});

test('a broker that comes back refusing the login: health failed (not healthy), naming the refusal', { skip, timeout: 60_000 }, async (t) => {
  const broker = await Mosquitto.start();
  t.after(() => broker.dispose());
  const service = serviceOn(t, broker);
  await service.waitForHealth((h) => h.status === 'online' && h.mqtt?.state === 'connected');

  // The broker restarts with a password file in which this robot's password is another one.
  await broker.stop();
  const passwordFile = join(broker.dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-c', '-b', passwordFile, 'robot', 'another-password'], { stdio: 'pipe' });
  const configFile = join(broker.dir, 'mosquitto.conf');
  const config = readFileSync(configFile, 'utf8').replace('allow_anonymous true', 'allow_anonymous false');
  writeFileSync(configFile, `${config}password_file ${passwordFile}\n`);
  await broker.start();

  const failed = await service.waitForHealth((h) => h.status === 'failed', 20_000);
  assert.equal(failed.healthy, false);
  assert.equal(failed.mqtt?.state, 'refused');
  assert.equal(failed.reason, 'the MQTT broker refused the login');
  // Frames still flow; only the events wait (in the outbox) for a broker that lets the robot in.
  assert.ok(failed.frames > 0);
});
