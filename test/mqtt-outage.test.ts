import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMqttPublisher, type MqttPublisher } from '../src/sdk/mqtt/index.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { Collector, sampleEvent } from './helpers/mqtt-fixtures.js';
import { tempDirForTests } from './helpers/temp-dir.js';

// The broker keeps the subscriber's persistent session (and messages queued for it) across the restart, as a robot's
// broker would; what is under test is that the publisher loses nothing it accepted.
let broker: Mosquitto;
brokerForTests((started) => (broker = started), { persistence: true });

const fastReconnect = { minDelayMs: 100, maxDelayMs: 400 };

/** A robot-side subscriber with a persistent session: it gets what was published while it was away. */
function persistentSubscriber(clientId: string, topic: string): Promise<Collector> {
  return Collector.connect(broker.url, topic, { clientId, clean: false });
}

/** The broker's exit reaches the client a moment later: wait until the publisher knows. */
async function brokerStopped(publisher: MqttPublisher): Promise<void> {
  await broker.stop();
  const deadline = Date.now() + 3000;
  while (publisher.connected) {
    assert.ok(Date.now() < deadline, 'the publisher did not notice the broker stop');
    await sleep(10);
  }
}

function sequenceNumbers(collector: Collector, topic: string): number[] {
  return collector.on(topic).map((m) => (JSON.parse(m.payload) as EmotionEvent).frame_seq);
}

test('no accepted event is lost when the broker stops mid-run and comes back on the same port; order is kept', async () => {
  const topic = 'fer-edge/robot-outage/events';
  const subscriber = await persistentSubscriber('robot-outage-sub', topic);
  const publisher = await createMqttPublisher({ url: broker.url, reconnect: fastReconnect, outbox: { dir: tempDirForTests('fer-edge-outbox-'), maxEvents: 1000 } }, 'robot-outage');
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    // 0-59 while up (the broker stops with some of them still in flight), 60-159 while down, 160-199 after the restart.
    for (let seq = 0; seq < 60; seq++) publisher.publishEvent(sampleEvent(1, seq));
    await brokerStopped(publisher);
    assert.ok(publisher.state.queued > 0, 'some events were still unacknowledged when the broker stopped');
    for (let seq = 60; seq < 160; seq++) publisher.publishEvent(sampleEvent(1, seq));
    assert.equal(publisher.state.connected, false);
    assert.ok(publisher.state.queued >= 100, `queued ${publisher.state.queued}`);
    await broker.start();
    assert.equal(await publisher.waitConnected(5000), true);
    for (let seq = 160; seq < 200; seq++) publisher.publishEvent(sampleEvent(1, seq));

    assert.equal(await publisher.waitDrained(5000), true, 'every event acknowledged by the broker');
    assert.deepEqual(publisher.state, { connected: true, state: 'connected', queued: 0, spooled: 0, dropped: 0, refused: 0, delivered: 200 });
    await subscriber.waitFor('all 200 events', () => new Set(sequenceNumbers(subscriber, topic)).size === 200, 8000);

    // At-least-once: an event in flight at the stop may arrive twice (DUP); first arrivals must be in publish order.
    const received = sequenceNumbers(subscriber, topic);
    const firstArrivals = received.filter((seq, i) => received.indexOf(seq) === i);
    assert.deepEqual(firstArrivals, Array.from({ length: 200 }, (_, i) => i));
    assert.ok(received.length - 200 <= 60, `duplicates ${received.length - 200}`);
  } finally {
    await publisher.close();
    await subscriber.close();
  }
});

test('an outbox overflow during an outage drops the oldest waiting events, counts them, and sends the rest in order', async () => {
  const topic = 'fer-edge/robot-overflow/events';
  const subscriber = await persistentSubscriber('robot-overflow-sub', `${topic.replace('/events', '')}/#`);
  const publisher = await createMqttPublisher({ url: broker.url, reconnect: fastReconnect, outbox: { dir: tempDirForTests('fer-edge-outbox-'), maxEvents: 10 } }, 'robot-overflow');
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    await brokerStopped(publisher);
    for (let seq = 0; seq < 25; seq++) publisher.publishEvent(sampleEvent(1, seq));
    assert.deepEqual(publisher.state, { connected: false, state: 'unreachable', queued: 10, spooled: 10, dropped: 15, refused: 0, delivered: 0 });

    await broker.start();
    assert.equal(await publisher.waitConnected(5000), true);
    assert.equal(await publisher.waitDrained(5000), true);
    await subscriber.waitFor('the 10 kept events', () => sequenceNumbers(subscriber, topic).length >= 10);
    assert.deepEqual(sequenceNumbers(subscriber, topic), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);

    // The drop count is reported in the stats the publisher sends.
    publisher.publishStats({
      ts: Date.now(),
      uptime_s: 1,
      fps: 0,
      frames: 0,
      dropped_frames: 0,
      dropped_results: 0,
      faces: 0,
      source: { status: 'running', reconnects: 0 },
      latency_ms: {},
    });
    await subscriber.waitFor('stats', () => subscriber.on('fer-edge/robot-overflow/stats').length === 1);
    const stats = JSON.parse(subscriber.on('fer-edge/robot-overflow/stats')[0]!.payload) as { mqtt: unknown };
    assert.deepEqual(stats.mqtt, { connected: true, state: 'connected', queued: 0, spooled: 0, dropped: 15, refused: 0 });
  } finally {
    await publisher.close();
    await subscriber.close();
  }
});
