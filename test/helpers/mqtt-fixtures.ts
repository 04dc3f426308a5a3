import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { EMOTION_LABELS, REP155_EXPRESSIONS, type EmotionEvent, type EmotionLabel } from '../../src/sdk/types.js';

/** A well-formed EmotionEvent; `frameSeq` doubles as a unique sequence number in delivery tests. */
export function sampleEvent(faceId: number, frameSeq: number, type: EmotionEvent['type'] = 'update', emotion: EmotionLabel = 'happy'): EmotionEvent {
  const index = EMOTION_LABELS.indexOf(emotion);
  const probabilities = Object.fromEntries(EMOTION_LABELS.map((label, i) => [label, i === index ? 0.7 : 0.05])) as Record<EmotionLabel, number>;
  return {
    type,
    face_id: faceId,
    emotion,
    expression: REP155_EXPRESSIONS[index]!,
    confidence: 0.7,
    probabilities,
    valence: 0.6,
    arousal: 0.2,
    box: { x: 10 + faceId, y: 20, width: 64, height: 64 },
    frame_seq: frameSeq,
    ts: 1_700_000_000_000 + frameSeq,
  };
}

/** Checks a received payload against the EmotionEvent interface of src/sdk/types.ts. */
export function assertEmotionEvent(value: unknown): asserts value is EmotionEvent {
  assert.ok(value && typeof value === 'object', 'event is an object');
  const event = value as Record<string, unknown>;
  assert.ok(['new', 'update', 'end'].includes(event.type as string), `type ${String(event.type)}`);
  assert.ok(Number.isInteger(event.face_id), 'face_id');
  const index = EMOTION_LABELS.indexOf(event.emotion as EmotionLabel);
  assert.ok(index >= 0, `emotion ${String(event.emotion)}`);
  assert.equal(event.expression, REP155_EXPRESSIONS[index]);
  assert.equal(typeof event.confidence, 'number');
  const probabilities = event.probabilities as Record<string, number>;
  assert.deepEqual(Object.keys(probabilities).sort(), [...EMOTION_LABELS].sort());
  for (const key of ['valence', 'arousal'] as const) {
    const v = event[key] as number;
    assert.ok(v >= -1 && v <= 1, `${key} in [-1, 1]`);
  }
  const box = event.box as Record<string, unknown>;
  for (const key of ['x', 'y', 'width', 'height']) assert.equal(typeof box[key], 'number', `box.${key}`);
  assert.ok(Number.isInteger(event.frame_seq), 'frame_seq');
  assert.equal(typeof event.ts, 'number');
}

export interface ReceivedMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A real MQTT subscriber that records everything it receives on `topics` (QoS 1). */
export class Collector {
  readonly messages: ReceivedMessage[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  }

  static async connect(url: string, topics: string | string[], options: IClientOptions = {}): Promise<Collector> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, connectTimeout: 3000, ...options });
    const collector = new Collector(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return collector;
  }

  on(topic: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** Polls until `predicate` holds; fails with `what` after `timeoutMs`. */
  async waitFor(what: string, predicate: (messages: ReceivedMessage[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; got ${this.messages.length} messages`);
      await sleep(20);
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
