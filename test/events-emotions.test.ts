import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AFFECT_COORDINATES,
  DominantEmotion,
  ProbabilitySmoother,
  emotionEventSchema,
  faceStateSchema,
  valenceArousal,
} from '../src/sdk/events/index.js';
import { EmotionTracker } from '../src/sdk/tracking/index.js';
import { EMOTION_LABELS, type EmotionEvent } from '../src/sdk/types.js';

const T0 = 1_700_000_000_000;
const FRAME_MS = 33;
const HAPPY = 3;
const SAD = 4;
const SURPRISE = 5;

/** A deterministic pseudo-random source (mulberry32), so the noisy sequences are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Probabilities peaked on `index` with `peak`, the rest spread evenly, plus optional noise; sums to 1. */
function peaked(index: number, peak: number, noise = 0, rand: () => number = Math.random): Float32Array {
  const p = new Float32Array(7).fill((1 - peak) / 6);
  p[index] = peak;
  for (let i = 0; i < 7; i++) p[i] = Math.max(0, p[i]! + (rand() - 0.5) * noise);
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

/** Feeds one face with a probability sequence (one per frame) and returns the events. */
function run(sequence: Float32Array[], config = {}): EmotionEvent[] {
  const tracker = new EmotionTracker({ minHits: 2, ...config });
  const events: EmotionEvent[] = [];
  sequence.forEach((probabilities, f) => {
    const { events: step } = tracker.update(f, T0 + f * FRAME_MS, [{ box: { x: 100, y: 80, width: 90, height: 90 }, score: 0.9, probabilities }]);
    events.push(...step);
  });
  return events;
}

describe('hysteresis', () => {
  test('a flicker between happy and sad every frame produces no update', () => {
    const sequence = Array.from({ length: 120 }, (_, f) => (f < 30 ? peaked(HAPPY, 0.7) : peaked(f % 2 === 0 ? HAPPY : SAD, 0.8)));
    const events = run(sequence);
    assert.deepEqual(events.map((e) => e.type), ['new']);
    assert.equal(events[0]!.emotion, 'happy');
  });

  test('single-frame spikes in noisy probabilities produce no update', () => {
    const rand = random(7);
    const sequence = Array.from({ length: 150 }, (_, f) => (f % 17 === 5 ? peaked(SURPRISE, 0.95, 0, rand) : peaked(HAPPY, 0.55, 0.15, rand)));
    assert.deepEqual(run(sequence).map((e) => e.type), ['new']);
  });

  test('a change held shorter than minDurationMs produces no update', () => {
    // 300 ms of clear sadness inside happiness, with minDurationMs 800.
    const sequence = Array.from({ length: 90 }, (_, f) => (f >= 30 && f < 39 ? peaked(SAD, 0.95) : peaked(HAPPY, 0.8)));
    assert.deepEqual(run(sequence, { hysteresis: { minDurationMs: 800 } }).map((e) => e.type), ['new']);
  });

  test('a sustained change produces exactly one update, after minDurationMs', () => {
    const changeFrame = 60;
    const sequence = Array.from({ length: 180 }, (_, f) => peaked(f < changeFrame ? HAPPY : SAD, 0.8, 0.1, random(f)));
    const events = run(sequence, { smoothing: { timeConstantMs: 300 }, hysteresis: { margin: 0.1, minDurationMs: 500, minConfidence: 0.4 } });
    assert.deepEqual(events.map((e) => `${e.type}:${e.emotion}`), ['new:happy', 'update:sad']);
    const update = events[1]!;
    const changeTs = T0 + changeFrame * FRAME_MS;
    assert.ok(update.ts - changeTs >= 500, `switched ${update.ts - changeTs} ms after the change`);
    assert.ok(update.ts - changeTs < 1500, `switched too late: ${update.ts - changeTs} ms`);
    assert.ok(update.confidence >= 0.4 && update.probabilities.sad === update.confidence);
  });

  test('minConfidence blocks a switch to a weak winner', () => {
    const dominant = new DominantEmotion({ margin: 0.05, minDurationMs: 0, minConfidence: 0.5 });
    dominant.observe(peaked(HAPPY, 0.6), 0);
    // Sad wins clearly by margin but stays below 0.5.
    const weak = Float32Array.from([0.05, 0.05, 0.05, 0.2, 0.45, 0.1, 0.1]);
    assert.equal(dominant.observe(weak, 100), false);
    assert.equal(dominant.index, HAPPY);
    assert.equal(dominant.observe(peaked(SAD, 0.6), 200), true);
    assert.equal(dominant.index, SAD);
  });
});

describe('smoothing', () => {
  test('the EMA is frame-rate independent: a step reaches the same value at the same time at 10 and 30 frames/s', () => {
    const valueAfter = (fps: number): number => {
      const smoother = new ProbabilitySmoother({ timeConstantMs: 400 });
      smoother.update(peaked(HAPPY, 1), 0);
      let value = 0;
      for (let t = 1000 / fps; t <= 1000 + 1e-9; t += 1000 / fps) value = smoother.update(peaked(SAD, 1), t)[SAD]!;
      return value;
    };
    const expected = 1 - Math.exp(-1000 / 400);
    assert.ok(Math.abs(valueAfter(10) - expected) < 1e-5, `10 fps: ${valueAfter(10)} vs ${expected}`);
    assert.ok(Math.abs(valueAfter(30) - expected) < 1e-5, `30 fps: ${valueAfter(30)} vs ${expected}`);
  });
});

describe('valence and arousal', () => {
  test('one-hot probabilities give each emotion\'s circumplex coordinates; happy is pleasant, sad unpleasant and calm', () => {
    EMOTION_LABELS.forEach((label, i) => {
      const { valence, arousal } = valenceArousal(peaked(i, 1));
      assert.ok(Math.abs(valence - AFFECT_COORDINATES[label].valence) < 1e-6, label);
      assert.ok(Math.abs(arousal - AFFECT_COORDINATES[label].arousal) < 1e-6, label);
    });
    assert.ok(valenceArousal(peaked(HAPPY, 1)).valence > 0.5);
    assert.ok(valenceArousal(peaked(SAD, 1)).valence < -0.5 && valenceArousal(peaked(SAD, 1)).arousal < 0);
    assert.deepEqual(valenceArousal(peaked(6, 1)), { valence: 0, arousal: 0 });
  });

  test('any distribution stays in [-1, 1]', () => {
    const rand = random(42);
    for (let n = 0; n < 500; n++) {
      const p = Float32Array.from({ length: 7 }, () => rand() ** 4);
      const { valence, arousal } = valenceArousal(p);
      assert.ok(valence >= -1 && valence <= 1 && arousal >= -1 && arousal <= 1);
    }
  });
});

describe('event schema', () => {
  test('every event and face state the tracker builds validates', () => {
    const rand = random(3);
    const tracker = new EmotionTracker({ minHits: 2, lostTimeoutMs: 300, hysteresis: { minDurationMs: 200 } });
    const events: EmotionEvent[] = [];
    for (let f = 0; f < 150; f++) {
      const detections = f < 120 ? [{ box: { x: 50 + f, y: 60, width: 70, height: 72 }, score: 0.9, probabilities: peaked(f < 60 ? HAPPY : SURPRISE, 0.7, 0.2, rand) }] : [];
      const result = tracker.update(f, T0 + f * FRAME_MS, detections);
      events.push(...result.events);
      for (const track of result.tracks) if (track.state) assert.deepEqual(faceStateSchema.parse(track.state), track.state);
    }
    assert.deepEqual(events.map((e) => e.type), ['new', 'update', 'end']);
    for (const event of events) assert.deepEqual(emotionEventSchema.parse(event), event);
    assert.equal(events[2]!.frame_seq > events[1]!.frame_seq, true);
  });

  test('the schema refuses a malformed event', () => {
    const good = run([peaked(HAPPY, 0.9), peaked(HAPPY, 0.9)])[0]!;
    assert.ok(emotionEventSchema.safeParse(good).success);
    assert.equal(emotionEventSchema.safeParse({ ...good, expression: 'sad' }).success, false);
    assert.equal(emotionEventSchema.safeParse({ ...good, valence: 1.5 }).success, false);
    assert.equal(emotionEventSchema.safeParse({ ...good, type: 'changed' }).success, false);
    const { angry: _angry, ...missing } = good.probabilities;
    assert.equal(emotionEventSchema.safeParse({ ...good, probabilities: missing }).success, false);
  });
});
