import './isolated-state.js';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { buildEmotionEvent, buildFaceState, emotionEventSchema, faceStateSchema, type EmotionSnapshot, type FaceState } from '../../src/sdk/events/index.js';
import { EMOTION_LABELS, type EmotionEvent, type EmotionLabel } from '../../src/sdk/types.js';
import { assertValidEvent, assertValidFaceState } from './schema-files.js';

function sampleSnapshot(faceId: number, frameSeq: number, emotion: EmotionLabel): EmotionSnapshot {
  const dominant = EMOTION_LABELS.indexOf(emotion);
  const probabilities = Float32Array.from(EMOTION_LABELS, (_, i) => (i === dominant ? 0.7 : 0.05));
  const box = { x: 10 + faceId, y: 20, width: 64, height: 64 };
  return { faceId, probabilities, dominant, box, frameSeq, timestampMs: 1_700_000_000_000 + frameSeq };
}

/** An EmotionEvent from the real event builder; `frameSeq` doubles as a unique sequence number in delivery tests. */
export function sampleEvent(faceId: number, frameSeq: number, type: EmotionEvent['type'] = 'update', emotion: EmotionLabel = 'happy'): EmotionEvent {
  return buildEmotionEvent(type, sampleSnapshot(faceId, frameSeq, emotion));
}

/** A per-frame FaceState from the real builder, as the tracker makes them; by default the emotion began on this frame. */
export function sampleFaceState(
  faceId: number,
  frameSeq: number,
  { emotion = 'happy', sinceMs, visible = true }: { emotion?: EmotionLabel; sinceMs?: number; visible?: boolean } = {},
): FaceState {
  const snapshot = sampleSnapshot(faceId, frameSeq, emotion);
  return buildFaceState(snapshot, sinceMs ?? snapshot.timestampMs, visible);
}

/** Checks a received payload against the zod schema and the checked-in JSON Schema file. */
export function assertEmotionEvent(value: unknown): asserts value is EmotionEvent {
  const parsed = emotionEventSchema.safeParse(value);
  assert.ok(parsed.success, `not an EmotionEvent: ${parsed.error?.issues[0]?.message} at ${parsed.error?.issues[0]?.path.join('.')}`);
  assertValidEvent(value);
}

/** Checks a retained `faces/<id>` payload against the FaceState schema and the checked-in JSON Schema file. */
export function assertFaceState(value: unknown): asserts value is FaceState {
  const parsed = faceStateSchema.safeParse(value);
  assert.ok(parsed.success, `not a FaceState: ${parsed.error?.issues[0]?.message} at ${parsed.error?.issues[0]?.path.join('.')}`);
  assertValidFaceState(value);
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
