import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FACE_STATE_SCHEMA_ID } from '../src/sdk/events/index.js';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import type { PipelineStats } from '../src/sdk/types.js';
import { brokerForTests, type Mosquitto } from './helpers/mosquitto.js';
import { tempDirForTests } from './helpers/temp-dir.js';
import { assertEmotionEvent, assertFaceState, Collector, sampleEvent, sampleFaceState } from './helpers/mqtt-fixtures.js';

let broker: Mosquitto;
brokerForTests((started) => (broker = started));

const fastReconnect = { minDelayMs: 100, maxDelayMs: 500 };

function sampleStats(): PipelineStats {
  return {
    ts: Date.now(),
    uptime_s: 1,
    fps: 12.5,
    frames: 25,
    dropped_frames: 2,
    dropped_results: 0,
    faces: 1,
    source: { status: 'running', reconnects: 0 },
    latency_ms: { detect: { p50: 8, p95: 12, max: 15 } },
  };
}

test('events arrive in order at QoS 1 and match the EmotionEvent interface; faces/<id> keeps the current state', async () => {
  const live = await Collector.connect(broker.url, 'fer-edge/robot-1/#');
  const publisher = await createMqttPublisher({ url: broker.url, reconnect: fastReconnect }, 'robot-1');
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    const sent = [sampleEvent(1, 0, 'new'), sampleEvent(1, 5, 'update', 'surprise'), sampleEvent(2, 6, 'new', 'sad'), sampleEvent(1, 9, 'end', 'surprise')];
    for (const event of sent) publisher.publishEvent(event);
    assert.equal(await publisher.waitDrained(3000), true);
    await live.waitFor('4 events', () => live.on('fer-edge/robot-1/events').length === 4);
    const received = live.on('fer-edge/robot-1/events').map((m) => JSON.parse(m.payload) as unknown);
    for (const event of received) assertEmotionEvent(event);
    assert.deepEqual(received, sent);
    assert.deepEqual(publisher.state, { connected: true, state: 'connected', queued: 0, spooled: 0, dropped: 0, refused: 0, delivered: 4 });

    // A subscriber that comes later sees the retained state: status online, face 2 present, face 1 cleared.
    await live.waitFor('face 1 cleared', () => live.on('fer-edge/robot-1/faces/1').some((m) => m.payload === ''));
    const late = await Collector.connect(broker.url, 'fer-edge/robot-1/#');
    await late.waitFor('retained status and face 2', () => late.messages.length >= 2);
    await sleep(100);
    assert.deepEqual(
      late.messages.map((m) => [m.topic, m.retain]).sort(),
      [['fer-edge/robot-1/faces/2', true], ['fer-edge/robot-1/status', true]],
    );
    assert.equal(late.on('fer-edge/robot-1/status')[0]!.payload, 'online');
    const face2 = JSON.parse(late.on('fer-edge/robot-1/faces/2')[0]!.payload) as unknown;
    assertFaceState(face2);
    const { schema: _schema, type: _type, ...fields } = sent[2]!;
    assert.deepEqual(face2, { schema: FACE_STATE_SCHEMA_ID, ...fields, since_ts: sent[2]!.ts, visible: true });
    await late.close();

    publisher.publishStats(sampleStats());
    await live.waitFor('stats', () => live.on('fer-edge/robot-1/stats').length === 1);
    const stats = JSON.parse(live.on('fer-edge/robot-1/stats')[0]!.payload) as PipelineStats;
    assert.equal(stats.fps, 12.5);
    assert.deepEqual(stats.mqtt, { connected: true, state: 'connected', queued: 0, spooled: 0, dropped: 0, refused: 0 });
  } finally {
    await publisher.close();
  }
  // A clean close publishes offline (retained) itself: no last will involved.
  await live.waitFor('offline', () => live.on('fer-edge/robot-1/status').at(-1)?.payload === 'offline');
  const after = await Collector.connect(broker.url, 'fer-edge/robot-1/status');
  await after.waitFor('retained offline', () => after.messages.length === 1);
  assert.deepEqual(after.messages[0], { topic: 'fer-edge/robot-1/status', payload: 'offline', retain: true });
  await after.close();
  await live.close();
});

test('the topic prefix is configurable and Home Assistant discovery announces two sensors with a summary', async () => {
  const live = await Collector.connect(broker.url, ['robots/+/#', 'ha/#']);
  const publisher = await createMqttPublisher(
    { url: broker.url, topicPrefix: 'robots', homeAssistant: { enabled: true, discoveryPrefix: 'ha' }, reconnect: fastReconnect },
    'arm',
  );
  try {
    await live.waitFor('discovery', () => live.messages.filter((m) => m.topic.startsWith('ha/')).length === 2);
    const emotionConfig = JSON.parse(live.on('ha/sensor/fer_edge_arm/emotion/config')[0]!.payload) as Record<string, unknown>;
    assert.equal(emotionConfig.state_topic, 'robots/arm/summary');
    assert.equal(emotionConfig.availability_topic, 'robots/arm/status');
    assert.equal(emotionConfig.unique_id, 'fer_edge_arm_emotion');
    assert.ok(live.on('ha/sensor/fer_edge_arm/faces/config')[0]);

    const summaries = () => live.on('robots/arm/summary').map((m) => JSON.parse(m.payload) as unknown);
    await live.waitFor('initial summary', () => summaries().length === 1);
    publisher.publishEvent(sampleEvent(3, 1, 'new', 'angry'));
    publisher.publishEvent(sampleEvent(4, 1, 'new', 'happy')); // same box size: the first face stays the nearest
    publisher.publishEvent(sampleEvent(3, 2, 'end', 'angry'));
    await live.waitFor('3 more summaries', () => summaries().length === 4);
    assert.deepEqual(summaries(), [
      { faces: 0, emotion: 'none' },
      { faces: 1, emotion: 'angry' },
      { faces: 2, emotion: 'angry' },
      { faces: 1, emotion: 'happy' },
    ]);
    assert.equal(live.on('robots/arm/events').length, 3);
  } finally {
    await publisher.close();
    await live.close();
  }
});

test('per-frame face states from the tracker update the retained faces/<id>; an ended face is not resurrected', async () => {
  const live = await Collector.connect(broker.url, 'fer-edge/robot-states/faces/#');
  const publisher = await createMqttPublisher({ url: broker.url, faceStateIntervalMs: 0 }, 'robot-states');
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    const event = sampleEvent(5, 10, 'new', 'sad');
    publisher.publishEvent(event);
    publisher.publishFaceState(sampleFaceState(5, 11, { emotion: 'sad', sinceMs: event.ts, visible: false }));
    await live.waitFor('2 states', () => live.messages.length === 2);
    const states = live.messages.map((m) => JSON.parse(m.payload) as unknown);
    for (const state of states) assertFaceState(state);
    assert.deepEqual(states.map((s) => [(s as { frame_seq: number }).frame_seq, (s as { visible: boolean }).visible]), [[10, true], [11, false]]);

    publisher.publishEvent(sampleEvent(5, 12, 'end', 'sad'));
    publisher.publishFaceState(sampleFaceState(5, 13, { emotion: 'sad', sinceMs: event.ts }));
    await live.waitFor('the clear', () => live.messages.length === 3);
    await sleep(100);
    assert.deepEqual(live.messages.slice(2), [{ topic: 'fer-edge/robot-states/faces/5', payload: '', retain: false }]);
  } finally {
    await publisher.close();
    await live.close();
  }
});

test('events accepted before the first connection are sent, in order, once it is up', async () => {
  const live = await Collector.connect(broker.url, 'fer-edge/robot-early/events');
  const publisher = await createMqttPublisher({ url: broker.url }, 'robot-early');
  try {
    assert.equal(publisher.connected, false);
    for (let seq = 0; seq < 5; seq++) publisher.publishEvent(sampleEvent(1, seq, seq === 0 ? 'new' : 'update'));
    await live.waitFor('5 events', () => live.messages.length === 5);
    assert.deepEqual(live.messages.map((m) => (JSON.parse(m.payload) as { frame_seq: number }).frame_seq), [0, 1, 2, 3, 4]);
  } finally {
    await publisher.close();
    await live.close();
  }
});

test('publishEvent never blocks, even with no broker reachable and every event written to the outbox on disk', async (t) => {
  const dir = tempDirForTests('fer-edge-outbox-', t);
  const publisher = await createMqttPublisher({ url: 'mqtt://127.0.0.1:1', reconnect: fastReconnect, closeTimeoutMs: 50, outbox: { dir } }, 'nowhere');
  const start = performance.now();
  for (let i = 0; i < 1000; i++) publisher.publishEvent(sampleEvent(1, i));
  const elapsedMs = performance.now() - start;
  assert.equal(publisher.state.connected, false);
  assert.equal(publisher.state.queued, 1000);
  assert.equal(publisher.state.spooled, 1000);
  assert.ok(elapsedMs < 1000, `1000 publishEvent calls took ${elapsedMs} ms`);
  await publisher.close();
});
