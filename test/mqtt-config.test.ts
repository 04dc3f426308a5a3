import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/core/errors.js';
import { backoffDelayMs } from '../src/sdk/mqtt/backoff.js';
import { MQTT_ENV, resolveMqttConfig } from '../src/sdk/mqtt/index.js';
import { outboxDir, redactUrl } from '../src/sdk/mqtt/config.js';
import { deviceTopics } from '../src/sdk/mqtt/topics.js';

test('defaults: embedded broker on 127.0.0.1:1883, MQTT 5 (3.1.1 fallback), prefix fer-edge, Home Assistant off, outbox on disk', () => {
  const config = resolveMqttConfig({}, {});
  assert.equal(config.url, undefined);
  assert.deepEqual(config.embedded, { host: '127.0.0.1', port: 1883 });
  assert.equal(config.protocolVersion, 5);
  assert.deepEqual(config.outbox, { maxEvents: 10_000 });
  assert.equal(outboxDir(config, 'robot-1', { XDG_STATE_HOME: '/var/lib/x' }), '/var/lib/x/fer-edge/mqtt-outbox/robot-1');
  assert.equal(outboxDir(resolveMqttConfig({ outbox: { dir: false } }, {}), 'robot-1'), undefined);
  assert.equal(config.topicPrefix, 'fer-edge');
  assert.equal(config.homeAssistant.enabled, false);
  assert.deepEqual(config.reconnect, { minDelayMs: 1000, maxDelayMs: 30_000 });
});

test('FER_EDGE_MQTT_* environment variables override the configuration file', () => {
  const env = {
    [MQTT_ENV.url]: 'mqtts://broker.local:8883',
    [MQTT_ENV.username]: 'robot',
    [MQTT_ENV.password]: 's3cret',
    [MQTT_ENV.ca]: '/etc/ca.pem',
  };
  const config = resolveMqttConfig({ url: 'mqtt://other:1883', username: 'file-user', tls: { rejectUnauthorized: false } }, env);
  assert.equal(config.url, 'mqtts://broker.local:8883');
  assert.equal(config.username, 'robot');
  assert.equal(config.password, 's3cret');
  assert.deepEqual(config.tls, { ca: '/etc/ca.pem', rejectUnauthorized: false });
});

test('bad settings are ConfigErrors naming the key', () => {
  const cases: [unknown, RegExp][] = [
    [{ url: 'http://broker:80' }, /^mqtt\.url: must be a URL starting with mqtt:\/\//],
    [{ url: 'mqtt://b', tls: { ca: '/ca.pem' } }, /^mqtt\.tls is set but mqtt\.url \(mqtt:\/\/b\) is not mqtts/],
    [{ outbox: { maxEvents: 0 } }, /^mqtt\.outbox\.maxEvents: /],
    [{ topicPrefix: 'a/#' }, /^mqtt\.topicPrefix: must not contain/],
    [{ reconnect: { minDelayMs: 5000, maxDelayMs: 100 } }, /^mqtt\.reconnect: maxDelayMs must be >= minDelayMs/],
    [{ url: 'mqtts://b', tls: { cert: '/c.pem' } }, /needs both cert and key/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => resolveMqttConfig(input, {}), (error: Error) => error instanceof ConfigError && message.test(error.message));
  }
});

test('passwords are redacted from logged URLs', () => {
  assert.equal(redactUrl('mqtt://robot:s3cret@broker:1883'), 'mqtt://robot:***@broker:1883');
  assert.equal(redactUrl('mqtt://broker:1883'), 'mqtt://broker:1883');
});

test('topics live under <prefix>/<device id>/; a device id with MQTT wildcards is refused', () => {
  const topics = deviceTopics('fer-edge', 'robot-1');
  assert.equal(topics.status, 'fer-edge/robot-1/status');
  assert.equal(topics.events, 'fer-edge/robot-1/events');
  assert.equal(topics.face(3), 'fer-edge/robot-1/faces/3');
  assert.throws(() => deviceTopics('fer-edge', 'a/b'), RangeError);
  assert.throws(() => deviceTopics('fer-edge', '#'), RangeError);
});

test('reconnect delays grow exponentially from min to max, with jitter inside the bounds', () => {
  const noJitter = () => 0.5;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, 1000, 30_000, noJitter)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
  assert.equal(backoffDelayMs(3, 1000, 30_000, () => 0), 6400);
  assert.equal(backoffDelayMs(3, 1000, 30_000, () => 0.999), 9597);
  assert.equal(backoffDelayMs(1000, 1000, 30_000, () => 0.999), 30_000);
});
