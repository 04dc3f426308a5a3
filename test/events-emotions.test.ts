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
import { assertValidEvent, assertValidFaceState } from './helpers/schema-files.js';

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
  const oneHot = (index: number): Float32Array => {
    const p = new Float32Array(7);
    p[index] = 1;
    return p;
  };
  /** The interval after which a sample weighs `weight` in the EMA with time constant `tau`. */
  const intervalFor = (weight: number, tau: number): number => -tau * Math.log(1 - weight);
  const close = (actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void =>
    expected.forEach((x, i) => assert.ok(Math.abs(actual[i]! - x) < tolerance, `[${i}] ${actual[i]} vs ${x} in ${Array.from(actual)}`));

  test('the EMA is frame-rate independent: a step reaches the same value at the same time at 10 and 30 frames/s', () => {
    // Steady state first (4 s of happy): a face's first samples are averaged (the debiasing) over a number of frames
    // that depends on the frame rate; 10 time constants later that is gone (exp(-10) of the happy weight).
    const valueAfter = (fps: number): number => {
      const smoother = new ProbabilitySmoother({ timeConstantMs: 400 });
      let value = 0;
      for (let k = 0; k <= 5 * fps; k++) value = smoother.update(peaked(k <= 4 * fps ? HAPPY : SAD, 1), (k * 1000) / fps)[SAD]!;
      return value;
    };
    const expected = 1 - Math.exp(-1000 / 400);
    assert.ok(Math.abs(valueAfter(10) - expected) < 1e-5, `10 fps: ${valueAfter(10)} vs ${expected}`);
    assert.ok(Math.abs(valueAfter(30) - expected) < 1e-5, `30 fps: ${valueAfter(30)} vs ${expected}`);
  });

  test('debiased: the first value is the first sample, then each sample weighs w (1 - w)^age / (1 - (1 - w)^count)', () => {
    // One-hot samples, so the output's i-th entry is the i-th sample's weight. w = 1/2 gives exact fractions.
    const tau = 300;
    const dt = intervalFor(0.5, tau);
    const smoother = new ProbabilitySmoother({ timeConstantMs: tau });
    close(smoother.update(oneHot(0), 1000), [1, 0, 0, 0]);
    close(smoother.update(oneHot(1), 1000 + dt), [1 / 3, 2 / 3, 0, 0]);
    close(smoother.update(oneHot(2), 1000 + 2 * dt), [1 / 7, 2 / 7, 4 / 7, 0]);
    close(smoother.update(oneHot(3), 1000 + 3 * dt), [1 / 15, 2 / 15, 4 / 15, 8 / 15]);
    // The ordinary EMA initialised with the first sample would say [1/8, 1/8, 1/4, 1/2]: the first sample as heavy
    // as the second and third together.
  });

  test('debiased: a face\'s first samples weigh about equally when they come faster than the time constant', () => {
    // w = 1/10 (31.6 ms apart with tau 300, about 32 frames/s); the ordinary EMA would give [0.9, 0.1] and then
    // [0.81, 0.09, 0.1]: the first classification decides.
    const tau = 300;
    const dt = intervalFor(0.1, tau);
    const smoother = new ProbabilitySmoother({ timeConstantMs: tau });
    smoother.update(oneHot(0), 0);
    close(smoother.update(oneHot(1), dt), [9 / 19, 10 / 19, 0]);
    close(smoother.update(oneHot(2), 2 * dt), [81 / 271, 90 / 271, 100 / 271]);
    // Two samples at 24 frames/s with the default 300 ms: 0.465 and 0.535 (was 0.870 and 0.130).
    const fps24 = new ProbabilitySmoother({ timeConstantMs: 300 });
    fps24.update(oneHot(0), 0);
    const w = 1 - Math.exp(-1000 / 24 / 300);
    close(fps24.update(oneHot(1), 1000 / 24), [(1 - w) / (2 - w), 1 / (2 - w)]);
  });

  test('debiased: converges to the ordinary EMA\'s weights, and equals it in steady state at any intervals', () => {
    const tau = 300;
    const dt = intervalFor(0.1, tau);
    const smoother = new ProbabilitySmoother({ timeConstantMs: tau });
    // 7 one-hot samples, then 60 more of the last class (67 in all, 2 s = 7 time constants): each sample weighs what
    // the ordinary EMA gives it, w (1 - w)^age, over 1 - 0.9^67 = 0.9991 (the ordinary EMA gives the first sample
    // 0.9^66 instead, the share left of its initial value: gone either way).
    const n = 67;
    for (let k = 0; k < n; k++) smoother.update(oneHot(Math.min(k, 6)), k * dt);
    const bias = 1 - 0.9 ** n;
    const ordinary = [0, 1, 2, 3, 4, 5].map((j) => 0.1 * 0.9 ** (n - 1 - j)).concat(1 - 0.9 ** (n - 6));
    close(smoother.current!, ordinary.map((x) => x / bias), 1e-6);
    assert.ok(bias > 0.999);

    // Random probabilities at irregular intervals (20-120 ms) against the ordinary EMA, initialised with its first
    // sample: apart after the first samples, within 1e-4 after 10 time constants.
    const rand = random(11);
    const debiased = new ProbabilitySmoother({ timeConstantMs: tau });
    let plain: Float32Array | undefined;
    let t = 0;
    let last = 0;
    let early = 0;
    while (t < 10 * tau + 1000) {
      const x = peaked(Math.floor(rand() * 7), 0.3 + 0.6 * rand(), 0.2, rand);
      if (!plain) plain = Float32Array.from(x);
      else for (let i = 0; i < 7; i++) plain[i]! += (1 - Math.exp(-(t - last) / tau)) * (x[i]! - plain[i]!);
      const value = debiased.update(x, t);
      const gap = Math.max(...value.map((v, i) => Math.abs(v - plain![i]!)));
      if (t < tau) early = Math.max(early, gap);
      if (t > 10 * tau) assert.ok(gap < 1e-4, `t = ${t}: ${gap}`);
      last = t;
      t += 20 + 100 * rand();
    }
    assert.ok(early > 0.05, `the first samples should differ from the ordinary EMA's: ${early}`);
  });

  test('timeConstantMs 0: no smoothing, each output is its sample; a sample at the same time stamp weighs nothing', () => {
    const none = new ProbabilitySmoother({ timeConstantMs: 0 });
    close(none.update(oneHot(0), 0), [1, 0, 0]);
    close(none.update(oneHot(1), 40), [0, 1, 0]);
    close(none.update(oneHot(2), 40), [0, 0, 1]);
    const smoother = new ProbabilitySmoother({ timeConstantMs: 300 });
    smoother.update(oneHot(0), 0);
    close(smoother.update(oneHot(1), 0), [1, 0]);
    const w = 1 - Math.exp(-100 / 300);
    close(smoother.update(oneHot(1), 100), [(1 - w) / (2 - w), 1 / (2 - w)]);
  });

  test('a new face is announced with the average of its classifications before confirmation, not its first one', () => {
    // Surprise on the first frame, happy on the next two (minHits 3): the old EMA (0.94 on the first sample after two
    // more at 33 ms) announced surprise and held it for minDurationMs.
    const tracker = new EmotionTracker({ minHits: 3 });
    const sequence = [peaked(SURPRISE, 0.7), peaked(HAPPY, 0.6), peaked(HAPPY, 0.6)];
    const events = sequence.flatMap((probabilities, f) => tracker.update(f, T0 + f * FRAME_MS, [{ box: { x: 100, y: 80, width: 90, height: 90 }, score: 0.9, probabilities }]).events);
    assert.deepEqual(events.map((e) => `${e.type}:${e.emotion}`), ['new:happy']);
    const w = 1 - Math.exp(-FRAME_MS / 300);
    const weights = [(1 - w) ** 2, 1 - w, 1].map((x) => (x * w) / (1 - (1 - w) ** 3));
    EMOTION_LABELS.forEach((label, i) => {
      const mean = weights.reduce((sum, weight, f) => sum + weight * sequence[f]![i]!, 0);
      assert.ok(Math.abs(events[0]!.probabilities[label] - mean) < 1e-4, `${label}: ${events[0]!.probabilities[label]} vs ${mean}`);
    });
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
      for (const track of result.tracks) {
        if (!track.state) continue;
        assert.deepEqual(faceStateSchema.parse(track.state), track.state);
        assertValidFaceState(track.state);
      }
    }
    assert.deepEqual(events.map((e) => e.type), ['new', 'update', 'end']);
    for (const event of events) {
      assert.deepEqual(emotionEventSchema.parse(event), event);
      assertValidEvent(event);
    }
    assert.equal(events[2]!.frame_seq > events[1]!.frame_seq, true);
  });

  test('the schema and its JSON Schema file refuse a malformed event', () => {
    const good = run([peaked(HAPPY, 0.9), peaked(HAPPY, 0.9)])[0]!;
    assert.ok(emotionEventSchema.safeParse(good).success);
    assertValidEvent(good);
    const { angry: _angry, ...missing } = good.probabilities;
    const { schema: _schema, ...unversioned } = good;
    const malformed = [
      { ...good, expression: 'sad' },
      { ...good, valence: 1.5 },
      { ...good, type: 'changed' },
      { ...good, probabilities: missing },
      { ...good, schema: 'fer-edge/event@2' },
      unversioned,
    ];
    for (const event of malformed) {
      assert.equal(emotionEventSchema.safeParse(event).success, false, JSON.stringify(event));
      assert.throws(() => assertValidEvent(event), /not a fer-edge\/event@1/);
    }
  });
});
