import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emotionEventSchema } from '../src/sdk/events/index.js';
import { clampBox, clipBox, EmotionTracker, FaceTracker, iou } from '../src/sdk/tracking/index.js';
import type { Box } from '../src/sdk/types.js';
import { assertValidEvent } from './helpers/schema-files.js';

const FRAME_MS = 33;
const T0 = 1_700_000_000_000;
const NEUTRAL = Float32Array.from([0.02, 0.01, 0.02, 0.05, 0.05, 0.05, 0.8]);

const box = (cx: number, cy: number, size = 80): Box => ({ x: cx - size / 2, y: cy - size / 2, width: size, height: size });
const at = (frame: number): number => T0 + frame * FRAME_MS;

describe('FaceTracker ids', () => {
  test('two faces moving apart keep their ids; tracks are confirmed after minHits', () => {
    const tracker = new FaceTracker({ minHits: 3 });
    const ids: number[][] = [];
    for (let f = 0; f < 60; f++) {
      const step = tracker.update(at(f), [box(200 - 2 * f, 200), box(400 + 3 * f, 220 + f)]);
      if (f < 2) assert.equal(step.tracks.filter((t) => t.confirmed).length, 0, `frame ${f}: confirmed too early`);
      if (f === 2) assert.equal(step.confirmed.length, 2);
      const idOf = (detection: number): number => [...step.matched].find(([, d]) => d === detection)![0];
      ids.push([idOf(0), idOf(1)]);
    }
    assert.ok(ids.every(([a, b]) => a === ids[0]![0] && b === ids[0]![1]), 'ids changed');
    assert.notEqual(ids[0]![0], ids[0]![1]);
  });

  test('crossing faces keep their ids through the overlap (motion prediction)', () => {
    const tracker = new FaceTracker({ minHits: 2 });
    // A moves right, B moves left, 30 px a frame each, 8 px apart vertically. On frame 9 B's box lands where A's was
    // on frame 8: overlap alone would swap them; the constant-velocity prediction must not.
    const a = (f: number): Box => box(100 + 30 * f, 200);
    const b = (f: number): Box => box(610 - 30 * f, 208);
    let idA: number | undefined;
    let idB: number | undefined;
    let maxOverlap = 0;
    for (let f = 0; f <= 18; f++) {
      // Detection order alternates so that the matching cannot lean on it.
      const detections = f % 2 === 0 ? [a(f), b(f)] : [b(f), a(f)];
      const step = tracker.update(at(f), detections);
      maxOverlap = Math.max(maxOverlap, iou(a(f), b(f)));
      const idOf = (target: Box): number => [...step.matched].find(([, d]) => detections[d] === target)![0];
      if (f === 0) {
        idA = idOf(detections[0]!);
        idB = idOf(detections[1]!);
        continue;
      }
      assert.equal(idOf(f % 2 === 0 ? detections[0]! : detections[1]!), idA, `frame ${f}: face A switched id`);
      assert.equal(idOf(f % 2 === 0 ? detections[1]! : detections[0]!), idB, `frame ${f}: face B switched id`);
    }
    assert.ok(maxOverlap > 0.3, `the faces should really overlap (max IoU ${maxOverlap})`);
    assert.equal(tracker.liveTracks.length, 2);
  });

  test('a single-frame false detection never becomes a track', () => {
    const tracker = new FaceTracker({ minHits: 2 });
    tracker.update(at(0), [box(100, 100)]);
    const step = tracker.update(at(1), []);
    assert.equal(step.tracks.length, 0);
    assert.equal(step.ended.length, 0);
  });

  test('detection every K frames: predict carries the box by motion and the id stays', () => {
    const K = 5;
    const tracker = new FaceTracker({ minHits: 2, lostTimeoutMs: 1000 });
    const truth = (f: number): Box => box(100 + 6 * f, 150 + 2 * f);
    let id: number | undefined;
    let worstError = 0;
    for (let f = 0; f < 90; f++) {
      const step = f % K === 0 ? tracker.update(at(f), [truth(f)]) : tracker.predict(at(f));
      assert.equal(step.tracks.length, 1, `frame ${f}`);
      const track = step.tracks[0]!;
      id ??= track.id;
      assert.equal(track.id, id);
      if (f > 2 * K && f % K !== 0) worstError = Math.max(worstError, Math.hypot(track.box.x - truth(f).x, track.box.y - truth(f).y));
      assert.equal(step.ended.length, 0);
    }
    assert.ok(worstError < 2, `predicted boxes drift ${worstError.toFixed(2)} px from the truth`);
  });
});

describe('EmotionTracker life cycle', () => {
  test('a face lost then gone ends after lostTimeoutMs, once; a short gap does not end it', () => {
    const tracker = new EmotionTracker({ minHits: 2, lostTimeoutMs: 500 });
    const events = [];
    let f = 0;
    for (; f < 10; f++) events.push(...tracker.update(f, at(f), [{ box: box(100 + 4 * f, 100), score: 0.9, probabilities: NEUTRAL }]).events);
    // A 200 ms gap, then the face is back where its motion predicts.
    for (; f < 16; f++) events.push(...tracker.update(f, at(f), []).events);
    for (; f < 20; f++) events.push(...tracker.update(f, at(f), [{ box: box(100 + 4 * f, 100), score: 0.9, probabilities: NEUTRAL }]).events);
    assert.deepEqual(events.map((e) => e.type), ['new']);
    const lastSeen = at(f - 1);
    let endedAt: number | undefined;
    for (; f < 60; f++) {
      const { events: step, tracks } = tracker.update(f, at(f), []);
      for (const event of step) {
        assert.equal(event.type, 'end');
        assert.equal(endedAt, undefined, 'ended twice');
        endedAt = event.ts;
        assert.equal(event.face_id, events[0]!.face_id);
        assert.ok(emotionEventSchema.safeParse(event).success);
        assertValidEvent(event);
      }
      if (endedAt === undefined) assert.equal(tracks.length, 1, 'the face should coast until the timeout');
    }
    assert.ok(endedAt !== undefined && endedAt - lastSeen > 500 && endedAt - lastSeen <= 500 + FRAME_MS, `ended ${endedAt! - lastSeen} ms after last seen`);
  });

  test('no event before confirmation, and none for a face that is never classified', () => {
    const tracker = new EmotionTracker({ minHits: 3 });
    assert.deepEqual(tracker.update(0, at(0), [{ box: box(100, 100), score: 0.9, probabilities: NEUTRAL }]).events, []);
    assert.deepEqual(tracker.update(1, at(1), [{ box: box(100, 100), score: 0.9, probabilities: NEUTRAL }]).events, []);
    assert.deepEqual(tracker.update(2, at(2), [{ box: box(100, 100), score: 0.9, probabilities: NEUTRAL }]).events.map((e) => e.type), ['new']);

    const unclassified = new EmotionTracker({ minHits: 1, lostTimeoutMs: 100 });
    for (let f = 0; f < 5; f++) assert.deepEqual(unclassified.update(f, at(f), [{ box: box(100, 100), score: 0.9 }]).events, []);
    for (let f = 5; f < 15; f++) assert.deepEqual(unclassified.update(f, at(f), []).events, []);
  });

  test('endAll ends every announced face', () => {
    const tracker = new EmotionTracker({ minHits: 1 });
    tracker.update(0, at(0), [
      { box: box(100, 100), score: 0.9, probabilities: NEUTRAL },
      { box: box(400, 100), score: 0.9, probabilities: NEUTRAL },
    ]);
    const ended = tracker.endAll(1, at(1));
    assert.deepEqual(ended.map((e) => e.type), ['end', 'end']);
    assert.equal(tracker.faceStates().length, 0);
  });

  test('detect every K frames, classify every frame: observe() feeds predicted faces and drives the update', () => {
    const K = 4;
    const tracker = new EmotionTracker({ minHits: 2, hysteresis: { minDurationMs: 300 } });
    const HAPPY = Float32Array.from([0.02, 0.01, 0.02, 0.85, 0.03, 0.03, 0.04]);
    const SAD = Float32Array.from([0.02, 0.01, 0.02, 0.03, 0.85, 0.03, 0.04]);
    const events = [];
    for (let f = 0; f < 90; f++) {
      const probabilities = f < 40 ? HAPPY : SAD;
      if (f % K === 0) {
        events.push(...tracker.update(f, at(f), [{ box: box(100 + 2 * f, 100), score: 0.9, probabilities }]).events);
      } else {
        const { tracks, events: step } = tracker.predict(f, at(f));
        events.push(...step);
        events.push(...tracker.observe(f, at(f), tracks.map((track) => ({ faceId: track.faceId, probabilities }))));
      }
    }
    assert.deepEqual(events.map((e) => `${e.type}:${e.emotion}`), ['new:happy', 'update:sad']);
    assert.ok(events[1]!.frame_seq >= 40);
    assert.deepEqual(tracker.observe(90, at(90), [{ faceId: 999, probabilities: SAD }]), []);
  });

  test('an end carries where the face was last detected, not where its motion carried it by the timeout', () => {
    // A face leaving upwards at 12 px a frame: by the 500 ms timeout its prediction is ~180 px further, above the frame.
    const tracker = new EmotionTracker({ minHits: 2, lostTimeoutMs: 500 });
    const leaving = (f: number): Box => box(300, 200 - 12 * f);
    const events = [];
    let f = 0;
    for (; f < 12; f++) events.push(...tracker.update(f, at(f), [{ box: leaving(f), score: 0.9, probabilities: NEUTRAL }]).events);
    let predictedY = 0;
    for (; f < 40; f++) {
      const step = tracker.update(f, at(f), []);
      if (step.tracks[0]) predictedY = step.tracks[0].box.y;
      events.push(...step.events);
    }
    const end = events.find((e) => e.type === 'end');
    assert.ok(end, events.map((e) => e.type).join(','));
    assert.ok(predictedY < -100, `the prediction left the frame (y ${predictedY})`);
    assert.deepEqual(end.box, leaving(11), 'the last detected box');
  });

  test('tracked faces say whether the last detection saw them and carry its landmarks along with the box', () => {
    const tracker = new EmotionTracker({ minHits: 1 });
    const eyes = (cx: number, cy: number) => [{ x: cx - 15, y: cy - 10 }, { x: cx + 15, y: cy - 12 }];
    tracker.update(0, at(0), [{ box: box(100, 100), score: 0.9, landmarks: eyes(100, 100), probabilities: NEUTRAL }]);
    tracker.update(1, at(1), [{ box: box(110, 100), score: 0.9, landmarks: eyes(110, 100), probabilities: NEUTRAL }]);
    const [carried] = tracker.predict(2, at(2)).tracks;
    assert.ok(carried?.visible);
    assert.deepEqual(carried.box, box(120, 100));
    assert.deepEqual(carried.landmarks, eyes(120, 100));
    const [missed] = tracker.update(3, at(3), []).tracks;
    assert.equal(missed?.visible, false);
    // trackedFaces() is the same view, with the probabilities observe() fed in.
    const HAPPY = Float32Array.from([0.02, 0.01, 0.02, 0.85, 0.03, 0.03, 0.04]);
    tracker.observe(4, at(4), [{ faceId: missed!.faceId, probabilities: HAPPY }]);
    const [observed] = tracker.trackedFaces(4, at(4));
    assert.equal(observed?.state?.frame_seq, 4);
    assert.ok(observed!.state!.probabilities.happy > 0.2, JSON.stringify(observed!.state!.probabilities));
  });
});

describe('boxes and the frame', () => {
  test('clipBox: the part inside the frame, or nothing', () => {
    assert.deepEqual(clipBox({ x: -20, y: 300, width: 100, height: 100 }, 640, 360), { x: 0, y: 300, width: 80, height: 60 });
    assert.equal(clipBox({ x: 663.5, y: 8.5, width: 124.5, height: 124.5 }, 640, 360), undefined);
  });

  test('clampBox: inside boxes unchanged, others limited to the frame and never empty', () => {
    const inside = { x: 10, y: 20, width: 30, height: 40 };
    assert.equal(clampBox(inside, 640, 360), inside);
    assert.deepEqual(clampBox({ x: 530, y: -37, width: 125, height: 125 }, 640, 360), { x: 530, y: 0, width: 110, height: 88 });
    assert.deepEqual(clampBox({ x: 663.5, y: 8.5, width: 124.5, height: 124.5 }, 640, 360), { x: 639, y: 8.5, width: 1, height: 124.5 });
  });
});
