import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { ConfigError } from '../src/core/errors.js';
import { createMqttPublisher, resolveMqttConfig, startEmbeddedBroker, type MqttPublisher } from '../src/sdk/mqtt/index.js';
import { runCli, userLines } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel } from './helpers/model-fixtures.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { Collector, sampleEvent } from './helpers/mqtt-fixtures.js';
import { skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// mosquitto with a password file and an ACL: `robot` may publish its status, faces and stats but not its events;
// `watcher` may read everything.
const dir = tempDirForTests('fer-edge-mqtt-auth-');
const passwordFile = join(dir, 'passwd');
const aclFile = join(dir, 'acl');
execFileSync('mosquitto_passwd', ['-c', '-b', passwordFile, 'robot', 's3cret'], { stdio: 'pipe' });
execFileSync('mosquitto_passwd', ['-b', passwordFile, 'watcher', 'w4tch'], { stdio: 'pipe' });
writeFileSync(
  aclFile,
  ['user robot', 'topic write fer-edge/+/status', 'topic readwrite fer-edge/+/faces/#', 'topic write fer-edge/+/stats', '',
    'user watcher', 'topic read #', ''].join('\n'),
);
let broker: Mosquitto;
brokerForTests((started) => (broker = started), { passwordFile, aclFile });

const fastReconnect = { minDelayMs: 100, maxDelayMs: 400 };
const noDisk = { dir: false as const };
const watcher = { username: 'watcher', password: 'w4tch' };

async function waitForState(publisher: MqttPublisher, state: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (publisher.state.state !== state) {
    assert.ok(Date.now() < deadline, `state ${publisher.state.state}, expected ${state}`);
    await sleep(10);
  }
}

test('a wrong password: state refused, a one-line ConfigError naming the keys, events queue', async () => {
  const publisher = await createMqttPublisher(
    { url: broker.url, username: 'robot', password: 'wrong', reconnect: fastReconnect, outbox: noDisk },
    'robot-badpw',
    {},
  );
  const refusals: ConfigError[] = [];
  publisher.on('refused', (error) => refusals.push(error));
  try {
    await waitForState(publisher, 'refused');
    publisher.publishEvent(sampleEvent(1, 0));
    assert.equal(refusals.length, 1);
    assert.ok(publisher.loginRefusal instanceof ConfigError);
    assert.match(publisher.loginRefusal.message, /^the MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login \(Not authorized\): check mqtt\.username and mqtt\.password/);
    assert.doesNotMatch(publisher.loginRefusal.message, /\n|wrong/);
    const { state, queued } = publisher.state;
    assert.deepEqual({ state, queued }, { state: 'refused', queued: 1 });
    assert.equal(publisher.stats.state, 'refused');
  } finally {
    await publisher.close();
  }
});

test('`fer-edge run` with a refused login exits 2 with one line', { skip: skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL) }, () => {
  const model = tempPeerModel();
  try {
    const config = join(dir, 'bad-login.yaml');
    writeFileSync(config, `mqtt:\n  url: ${broker.url}\n  username: robot\n  password: wrong\n  outbox: { dir: ${join(dir, 'outbox-bad-login')} }\n`);
    const started = Date.now();
    const result = runCli(['run', '--config', config, '--source', clipPath, '--loop', '--model', model.modelPath, '--device-id', 'robot-cli-badpw'], { logLevel: 'silent', timeoutMs: 60_000 });
    assert.equal(result.status, 2, result.stderr);
    const lines = userLines(result.stderr);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^fer-edge: the MQTT broker .* refused the login \(Not authorized\): check mqtt\.username and mqtt\.password/);
    assert.ok(Date.now() - started < 30_000);
  } finally {
    model.cleanup();
  }
});

test('MQTT 5: an event the broker ACL refuses is counted in refused, not delivered, and not re-sent', async () => {
  const subscriber = await Collector.connect(broker.url, 'fer-edge/robot-acl/#', watcher);
  const publisher = await createMqttPublisher({ url: broker.url, username: 'robot', password: 's3cret', reconnect: fastReconnect, outbox: noDisk }, 'robot-acl', {});
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    assert.equal(publisher.protocolVersion, 5);
    for (let seq = 0; seq < 3; seq++) publisher.publishEvent(sampleEvent(1, seq, seq === 0 ? 'new' : 'update'));
    assert.equal(await publisher.waitDrained(3000), true);
    await subscriber.waitFor('the face state (allowed)', () => subscriber.on('fer-edge/robot-acl/faces/1').length > 0);
    await sleep(200);
    const { refused, delivered, queued, state } = publisher.state;
    assert.deepEqual({ refused, delivered, queued, state }, { refused: 3, delivered: 0, queued: 0, state: 'connected' });
    assert.equal(subscriber.on('fer-edge/robot-acl/events').length, 0);
  } finally {
    await publisher.close();
    await subscriber.close();
  }
});

test('under MQTT 3.1.1 the same refusal is invisible: the broker acknowledges and drops (why 5 is the default)', async () => {
  const publisher = await createMqttPublisher(
    { url: broker.url, username: 'robot', password: 's3cret', protocolVersion: 4, outbox: noDisk },
    'robot-acl-311',
    {},
  );
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    publisher.publishEvent(sampleEvent(1, 0, 'new'));
    assert.equal(await publisher.waitDrained(3000), true);
    const { refused, delivered } = publisher.state;
    assert.deepEqual({ refused, delivered }, { refused: 0, delivered: 1 });
  } finally {
    await publisher.close();
  }
});

test('a broker that refuses MQTT 5 (aedes) gets MQTT 3.1.1 at once, and events go through', async () => {
  const aedes = await startEmbeddedBroker('127.0.0.1', 0);
  const subscriber = await Collector.connect(aedes.url, 'fer-edge/robot-fallback/events', { protocolVersion: 4 });
  const publisher = await createMqttPublisher({ url: aedes.url, outbox: noDisk }, 'robot-fallback', {});
  try {
    assert.equal(publisher.config.protocolVersion, 5);
    const started = Date.now();
    assert.equal(await publisher.waitConnected(3000), true);
    assert.ok(Date.now() - started < 1000, `connected after ${Date.now() - started} ms`);
    assert.equal(publisher.protocolVersion, 4);
    publisher.publishEvent(sampleEvent(3, 1, 'new'));
    await subscriber.waitFor('the event', () => subscriber.messages.length === 1);
  } finally {
    await publisher.close();
    await subscriber.close();
    await aedes.close();
  }
});

test('the embedded broker binds beyond loopback only with credentials: a ConfigError naming mqtt.embedded.host otherwise', async () => {
  const named = (error: Error) => error instanceof ConfigError && /^mqtt\.embedded\.host: 0\.0\.0\.0 lets other machines reach the embedded broker.*mqtt\.username/.test(error.message);
  assert.throws(() => resolveMqttConfig({ embedded: { host: '0.0.0.0' } }, {}), named);
  assert.throws(() => resolveMqttConfig({ embedded: { host: '::' }, username: 'robot' }, {}), /mqtt\.embedded\.host: :: /);
  await assert.rejects(startEmbeddedBroker('0.0.0.0', 0), named);
  for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.1.1']) assert.doesNotThrow(() => resolveMqttConfig({ embedded: { host } }, {}));
  // A URL of one's own broker: the embedded settings do not apply.
  assert.doesNotThrow(() => resolveMqttConfig({ url: 'mqtt://hub:1883', embedded: { host: '0.0.0.0' } }, {}));

  const result = runCli(['run', '--source', 'clip.mp4', '--config', writeConfig('exposed.yaml', 'mqtt:\n  embedded: { host: 0.0.0.0 }\n')]);
  assert.equal(result.status, 2, result.stderr);
  assert.match(userLines(result.stderr).join('\n'), /^fer-edge: .*mqtt\.embedded\.host: 0\.0\.0\.0 lets other machines reach/);
});

test('with username and password the embedded broker on 0.0.0.0 admits only clients that log in with them', async () => {
  const credentials = { username: 'robot', password: 'emb3dded' };
  const publisher = await createMqttPublisher({ embedded: { host: '0.0.0.0', port: 0 }, ...credentials, outbox: noDisk }, 'robot-emb-auth', {});
  const url = `mqtt://127.0.0.1:${publisher.embeddedBroker!.port}`;
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    const anonymous = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 }).then(
      () => 'admitted',
      (error: Error & { code?: number }) => error.code,
    );
    assert.equal(anonymous, 4, 'bad user name or password');
    const subscriber = await Collector.connect(url, 'fer-edge/robot-emb-auth/events', { protocolVersion: 4, ...credentials });
    publisher.publishEvent(sampleEvent(1, 0, 'new'));
    await subscriber.waitFor('the event', () => subscriber.messages.length === 1);
    await subscriber.close();
  } finally {
    await publisher.close();
  }
});

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
