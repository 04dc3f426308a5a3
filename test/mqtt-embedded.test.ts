import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { FerEdgeError } from '../src/core/errors.js';
import { createMqttPublisher, startEmbeddedBroker } from '../src/sdk/mqtt/index.js';
import { assertEmotionEvent, Collector, sampleEvent } from './helpers/mqtt-fixtures.js';

test('with no broker URL the publisher starts an embedded aedes broker and a subscriber receives events through it', async () => {
  const publisher = await createMqttPublisher({ embedded: { port: 0 } }, 'robot-embedded');
  const broker = publisher.embeddedBroker;
  assert.ok(broker, 'an embedded broker was started');
  assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(publisher.brokerUrl, broker.url);
  assert.equal(publisher.subscribeCommand, `mosquitto_sub -h 127.0.0.1 -p ${broker.port} -t 'fer-edge/robot-embedded/#' -v`);
  const subscriber = await Collector.connect(broker.url, 'fer-edge/robot-embedded/#', { protocolVersion: 4 });
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    publisher.publishEvent(sampleEvent(7, 1, 'new', 'fear'));
    publisher.publishEvent(sampleEvent(7, 2, 'update', 'neutral'));
    await subscriber.waitFor('2 events', () => subscriber.on('fer-edge/robot-embedded/events').length === 2);
    const events = subscriber.on('fer-edge/robot-embedded/events').map((m) => JSON.parse(m.payload) as unknown);
    for (const event of events) assertEmotionEvent(event);
    assert.deepEqual(events.map((e) => (e as { emotion: string }).emotion), ['fear', 'neutral']);
    assert.equal(await publisher.waitDrained(2000), true);
    assert.equal(publisher.state.delivered, 2);
  } finally {
    await subscriber.close();
    await publisher.close();
  }
  // close() also stops the broker it started.
  await assert.rejects(Collector.connect(broker.url, '#', { reconnectPeriod: 0, connectTimeout: 500 }));
});

test('an embedded broker port already in use is a one-line FerEdgeError that says what to do', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  try {
    await assert.rejects(startEmbeddedBroker('127.0.0.1', port), (error: Error) => {
      assert.ok(error instanceof FerEdgeError);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*mqtt\\.url.*mqtt\\.embedded\\.port`));
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  } finally {
    blocker.close();
  }
});
