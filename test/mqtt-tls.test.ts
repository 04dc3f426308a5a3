import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../src/core/errors.js';
import { createMqttPublisher, MQTT_ENV } from '../src/sdk/mqtt/index.js';
import { Mosquitto } from './helpers/mosquitto.js';
import { assertEmotionEvent, Collector, sampleEvent } from './helpers/mqtt-fixtures.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

// A throw-away CA, server and client certificates, and a password file, made with the system's tools at test time.
let dir: string;
let broker: Mosquitto;
let mutualBroker: Mosquitto;
const pki = { caFile: '', certFile: '', keyFile: '', clientCertFile: '', clientKeyFile: '' };

before(async () => {
  dir = makeTempDir('fer-edge-tls-');
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=fer-edge test CA']);
  const issue = (name: string, commonName: string, extensions: string) => {
    openssl(['req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${commonName}`]);
    writeFileSync(file(`${name}.cnf`), extensions);
    openssl(['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-out', file(`${name}.pem`), '-days', '2', '-extfile', file(`${name}.cnf`)]);
  };
  issue('server', '127.0.0.1', 'subjectAltName = IP:127.0.0.1\n');
  issue('client', 'robot-1', 'extendedKeyUsage = clientAuth\n');
  Object.assign(pki, {
    caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server.key'),
    clientCertFile: file('client.pem'), clientKeyFile: file('client.key'),
  });
  execFileSync('mosquitto_passwd', ['-c', '-b', file('passwd'), 'robot', 's3cret'], { stdio: 'pipe' });
  broker = await Mosquitto.start({ tls: pki, passwordFile: file('passwd') });
  mutualBroker = await Mosquitto.start({ tls: { ...pki, requireClientCert: true } });
});

after(async () => {
  await broker?.dispose();
  await mutualBroker?.dispose();
  removeTempDir(dir);
});

test('mqtts with a private CA and username/password from the environment delivers events', async () => {
  const env = { [MQTT_ENV.url]: broker.url, [MQTT_ENV.username]: 'robot', [MQTT_ENV.password]: 's3cret', [MQTT_ENV.ca]: pki.caFile };
  const publisher = await createMqttPublisher({ reconnect: { minDelayMs: 100, maxDelayMs: 400 } }, 'robot-tls', env);
  assert.equal(publisher.embeddedBroker, undefined);
  const subscriber = await Collector.connect(broker.url, 'fer-edge/robot-tls/events', {
    ca: readFileSync(pki.caFile),
    username: 'robot',
    password: 's3cret',
  });
  try {
    assert.equal(await publisher.waitConnected(5000), true);
    publisher.publishEvent(sampleEvent(1, 42, 'new'));
    await subscriber.waitFor('the event', () => subscriber.messages.length === 1);
    const event = JSON.parse(subscriber.messages[0]!.payload) as unknown;
    assertEmotionEvent(event);
    assert.equal(event.frame_seq, 42);
  } finally {
    await subscriber.close();
    await publisher.close();
  }
});

test('a wrong password or an unknown CA keeps the publisher disconnected (queuing, retrying) instead of failing the caller', async () => {
  for (const [what, expectedState, env] of [
    ['wrong password', 'refused', { [MQTT_ENV.url]: broker.url, [MQTT_ENV.username]: 'robot', [MQTT_ENV.password]: 'nope', [MQTT_ENV.ca]: pki.caFile }],
    ['server certificate not trusted', 'unreachable', { [MQTT_ENV.url]: broker.url, [MQTT_ENV.username]: 'robot', [MQTT_ENV.password]: 's3cret' }],
  ] as const) {
    const publisher = await createMqttPublisher({ reconnect: { minDelayMs: 100, maxDelayMs: 200 }, closeTimeoutMs: 0, outbox: { dir: false } }, 'robot-denied', env);
    try {
      assert.equal(await publisher.waitConnected(700), false, what);
      publisher.publishEvent(sampleEvent(1, 0));
      const { connected, state, queued, dropped, delivered } = publisher.state;
      assert.deepEqual({ connected, state, queued, dropped, delivered }, { connected: false, state: expectedState, queued: 1, dropped: 0, delivered: 0 }, what);
    } finally {
      await publisher.close();
    }
  }
});

test('mutual TLS: a client certificate and key from the config are presented; without them the broker refuses', async () => {
  const subscriber = await Collector.connect(mutualBroker.url, 'fer-edge/robot-mtls/events', {
    ca: readFileSync(pki.caFile),
    cert: readFileSync(pki.clientCertFile),
    key: readFileSync(pki.clientKeyFile),
  });
  const tls = { ca: pki.caFile, cert: pki.clientCertFile, key: pki.clientKeyFile };
  const publisher = await createMqttPublisher({ url: mutualBroker.url, tls }, 'robot-mtls', {});
  const anonymous = await createMqttPublisher(
    { url: mutualBroker.url, tls: { ca: pki.caFile }, reconnect: { minDelayMs: 100, maxDelayMs: 200 }, closeTimeoutMs: 0 },
    'robot-no-cert',
    {},
  );
  try {
    assert.equal(await publisher.waitConnected(5000), true);
    publisher.publishEvent(sampleEvent(2, 7, 'new'));
    await subscriber.waitFor('the event', () => subscriber.messages.length === 1);
    assertEmotionEvent(JSON.parse(subscriber.messages[0]!.payload));
    assert.equal(await anonymous.waitConnected(700), false);
  } finally {
    await anonymous.close();
    await publisher.close();
    await subscriber.close();
  }
});

test('an unreadable TLS file is a ConfigError naming the setting and the path', async () => {
  await assert.rejects(
    createMqttPublisher({ url: broker.url, tls: { ca: join(dir, 'missing-ca.pem') } }, 'robot-tls', {}),
    (error: Error) => error instanceof ConfigError && /^mqtt\.tls\.ca: cannot read .*missing-ca\.pem \(ENOENT\)$/.test(error.message),
  );
});
