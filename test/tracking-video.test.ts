import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSource } from '../src/sdk/capture/index.js';
import { createDetector } from '../src/sdk/detectors/index.js';
import { emotionEventSchema } from '../src/sdk/events/index.js';
import { EmotionTracker, iou } from '../src/sdk/tracking/index.js';
import type { Face } from '../src/sdk/types.js';
import { CLIP, clipSource } from './helpers/clip.js';
import { assertValidEvent } from './helpers/schema-files.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const ULTRAFACE = 'models/face/ultraface_slim_320.onnx';
const FRAMES = 96;
const FPS = 24;
const T0 = 1_700_000_000_000;
const NEUTRAL = Float32Array.from([0.02, 0.01, 0.02, 0.05, 0.05, 0.05, 0.8]);

/**
 * The tracker on a real detector's output: the first 4 s of Tears of Steel (CC-BY Blender Foundation) through UltraFace (slim),
 * with its jitter, misses and shot changes. Timestamps are the video's (24 frames/s), so the run is deterministic.
 */
describe('tracking real detections', { skip: skipUnlessShared(CLIP) || skipUnlessShared(ULTRAFACE) }, () => {
  const detections: Face[][] = [];
  before(async () => {
    const source = createSource(clipSource());
    const detector = await createDetector({ type: 'ultraface', model: sharedPath(ULTRAFACE), backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: 1 } });
    await source.open();
    try {
      for (let frame = await source.read(); frame && detections.length < FRAMES; frame = await source.read()) detections.push(await detector.detect(frame));
    } finally {
      await source.close();
      await detector.close?.();
    }
  });
  after(() => detections.splice(0));

  for (const every of [1, 3]) {
    test(`detection every ${every} frame(s): a face that keeps overlapping keeps its id`, (t) => {
      const tracker = new EmotionTracker({ minHits: 2, lostTimeoutMs: 1000 });
      const idsByFrame: Map<number, number>[] = [];
      const events = [];
      for (let f = 0; f < detections.length; f++) {
        const ts = T0 + Math.round((f * 1000) / FPS);
        if (f % every === 0) {
          const faces = detections[f]!;
          const result = tracker.update(f, ts, faces.map((face) => ({ box: face.box, score: face.score, probabilities: NEUTRAL })));
          events.push(...result.events);
          idsByFrame[f] = new Map(result.tracks.filter((track) => track.detectionIndex !== undefined).map((track) => [track.detectionIndex!, track.faceId]));
        } else {
          events.push(...tracker.predict(f, ts).events);
        }
      }
      events.push(...tracker.endAll(detections.length, T0 + Math.round((detections.length * 1000) / FPS)));

      let continuations = 0;
      for (let f = every; f < detections.length; f += every) {
        detections[f]!.forEach((face, i) => {
          detections[f - every]!.forEach((previous, j) => {
            if (iou(face.box, previous.box) < 0.3) return;
            continuations++;
            assert.equal(idsByFrame[f]!.get(i), idsByFrame[f - every]!.get(j), `frame ${f}: the face continuing from frame ${f - every} changed id`);
          });
        });
      }
      assert.ok(continuations > detections.length / every / 4, `too few continuing faces to mean anything (${continuations})`);
      for (const event of events) {
        assert.ok(emotionEventSchema.safeParse(event).success);
        assertValidEvent(event);
      }
      const news = events.filter((e) => e.type === 'new').map((e) => e.face_id);
      const ends = events.filter((e) => e.type === 'end').map((e) => e.face_id);
      assert.deepEqual([...ends].sort(), [...news].sort(), 'every face announced ends exactly once');
      assert.equal(new Set(news).size, news.length, 'an id was announced twice');
      assert.equal(events.filter((e) => e.type === 'update').length, 0, 'constant probabilities cannot switch the emotion');
      t.diagnostic(`${detections.length} frames, ${continuations} continuations checked, ${news.length} faces announced, ${events.length} events`);
    });
  }
});
