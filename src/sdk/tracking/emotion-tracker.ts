import { z } from 'zod';
import { buildEmotionEvent, buildFaceState, type EmotionSnapshot } from '../events/build-event.js';
import { DominantEmotion, hysteresisConfigSchema } from '../events/dominant-emotion.js';
import type { FaceState } from '../events/event-schema.js';
import { ProbabilitySmoother, smoothingConfigSchema } from '../events/probability-smoother.js';
import type { Box, EmotionEvent, Point } from '../types.js';
import { boxCentre } from './box-geometry.js';
import { FaceTracker, faceTrackerConfigSchema, type TrackStep } from './face-tracker.js';
import type { Track } from './track.js';

/** The `tracker` section of the pipeline configuration: association and life cycle, smoothing, hysteresis. */
export const trackerConfigSchema = faceTrackerConfigSchema
  .extend({
    smoothing: smoothingConfigSchema.prefault({}),
    hysteresis: hysteresisConfigSchema.prefault({}),
  })
  .strict();
export type TrackerConfig = z.output<typeof trackerConfigSchema>;
export type TrackerConfigInput = z.input<typeof trackerConfigSchema>;

export interface TrackerDetection {
  box: Box;
  score: number;
  landmarks?: Point[];
  /** The classifier's probabilities for this face (FER2013 order), when it ran on this frame. */
  probabilities?: Float32Array;
}

export interface TrackedFace {
  faceId: number;
  /** The detected box on a frame where the detector matched the face, else where its motion model puts it. */
  box: Box;
  confirmed: boolean;
  /** Matched on the last detection frame; false while the face coasts through a detection gap. */
  visible: boolean;
  /** The landmarks of the face's last matched detection, moved along with its box (when the detector gives them). */
  landmarks?: Point[];
  /** Index into this call's detections when one was matched to the face on this frame. */
  detectionIndex?: number;
  /** The face's emotion state, once it is confirmed and has been classified. */
  state?: FaceState;
}

export interface TrackerResult {
  tracks: TrackedFace[];
  /** new / update / end, only on change: never one per frame. */
  events: EmotionEvent[];
}

interface FaceEmotion {
  smoother: ProbabilitySmoother;
  dominant: DominantEmotion;
  /** 'new' has been emitted (so an 'end' is owed). */
  announced: boolean;
  visible: boolean;
  /** Landmarks of the last matched detection, relative to its box centre. */
  landmarkOffsets: Point[] | undefined;
  frameSeq: number;
  timestampMs: number;
}

/**
 * Per-frame entry point from detections to emotion events: FaceTracker ids, per-face EMA smoothing of the
 * classifier's probabilities, hysteresis on the dominant emotion, and EmotionEvent / FaceState building.
 */
export class EmotionTracker {
  private readonly config: TrackerConfig;
  private readonly faces: FaceTracker;
  private readonly emotions = new Map<number, FaceEmotion>();

  constructor(config: TrackerConfigInput = {}) {
    this.config = trackerConfigSchema.parse(config);
    const { smoothing: _smoothing, hysteresis: _hysteresis, ...faceConfig } = this.config;
    this.faces = new FaceTracker(faceConfig);
  }

  /** A frame the detector ran on. */
  update(frameSeq: number, timestampMs: number, detections: TrackerDetection[]): TrackerResult {
    const step = this.faces.update(timestampMs, detections.map((detection) => detection.box));
    const events: EmotionEvent[] = [];
    for (const track of step.tracks) {
      const detectionIndex = step.matched.get(track.id);
      const emotion = this.emotionOf(track);
      emotion.visible = detectionIndex !== undefined;
      const detection = detectionIndex === undefined ? undefined : detections[detectionIndex];
      if (detection) emotion.landmarkOffsets = landmarkOffsets(detection);
      const probabilities = detection?.probabilities;
      events.push(...this.ingest(track, emotion, probabilities, frameSeq, timestampMs));
    }
    events.push(...this.endEvents(step, frameSeq, timestampMs));
    return { tracks: this.view(step, frameSeq, timestampMs), events };
  }

  /**
   * Probabilities for faces classified on a frame without detection (crops cut at the boxes `predict` returned).
   * Returns the events they cause; `trackedFaces()` then gives the faces' states with these probabilities in.
   */
  observe(frameSeq: number, timestampMs: number, observations: { faceId: number; probabilities: Float32Array }[]): EmotionEvent[] {
    const events: EmotionEvent[] = [];
    for (const { faceId, probabilities } of observations) {
      const track = this.faces.liveTracks.find((candidate) => candidate.id === faceId);
      if (track) events.push(...this.ingest(track, this.emotionOf(track), probabilities, frameSeq, timestampMs));
    }
    return events;
  }

  /** A frame without detection: boxes follow the motion model, and faces lost for too long end. */
  predict(frameSeq: number, timestampMs: number): TrackerResult {
    const step = this.faces.predict(timestampMs);
    const events = this.endEvents(step, frameSeq, timestampMs);
    return { tracks: this.view(step, frameSeq, timestampMs), events };
  }

  /** Every live face as it stands now, e.g. after `observe` (no detection indexes: those belong to `update`). */
  trackedFaces(frameSeq: number, timestampMs: number): TrackedFace[] {
    return this.view({ tracks: [...this.faces.liveTracks], matched: new Map(), confirmed: [], ended: [] }, frameSeq, timestampMs);
  }

  /** Ends every face, e.g. when the source stops: the `end` events owed. */
  endAll(frameSeq: number, timestampMs: number): EmotionEvent[] {
    const ended = this.faces.clear();
    return this.endEvents({ tracks: [], matched: new Map(), confirmed: [], ended }, frameSeq, timestampMs);
  }

  /** Some face was seen but is not confirmed yet: one more detection on the next frame decides (FaceTracker.minHits). */
  get awaitingConfirmation(): boolean {
    return this.faces.liveTracks.some((track) => !track.confirmed);
  }

  /** Current state of every announced face. */
  faceStates(): FaceState[] {
    const states: FaceState[] = [];
    for (const track of this.faces.liveTracks) {
      const state = track.confirmed ? this.stateOf(track) : undefined;
      if (state) states.push(state);
    }
    return states;
  }

  private ingest(track: Track, emotion: FaceEmotion, probabilities: Float32Array | undefined, frameSeq: number, timestampMs: number): EmotionEvent[] {
    const events: EmotionEvent[] = [];
    if (probabilities) {
      const smoothed = emotion.smoother.update(probabilities, timestampMs);
      emotion.frameSeq = frameSeq;
      emotion.timestampMs = timestampMs;
      if (emotion.announced) {
        if (emotion.dominant.observe(smoothed, timestampMs)) events.push(buildEmotionEvent('update', this.snapshot(track, frameSeq, timestampMs)!));
      } else {
        // Until `new` there is no event to hold steady: the label follows the smoothed (averaged) probabilities.
        emotion.dominant.follow(smoothed, timestampMs);
      }
    }
    if (track.confirmed && !emotion.announced && emotion.smoother.current) {
      emotion.announced = true;
      events.push(buildEmotionEvent('new', this.snapshot(track, frameSeq, timestampMs)!));
    }
    return events;
  }

  private emotionOf(track: Track): FaceEmotion {
    let emotion = this.emotions.get(track.id);
    if (!emotion) {
      emotion = {
        smoother: new ProbabilitySmoother(this.config.smoothing),
        dominant: new DominantEmotion(this.config.hysteresis),
        announced: false,
        visible: true,
        landmarkOffsets: undefined,
        frameSeq: 0,
        timestampMs: 0,
      };
      this.emotions.set(track.id, emotion);
    }
    return emotion;
  }

  /** `box`: the track's current box unless told otherwise (an `end` gives where the face was last seen). */
  private snapshot(track: Track, frameSeq: number, timestampMs: number, box: Box = track.box): EmotionSnapshot | undefined {
    const emotion = this.emotions.get(track.id);
    const probabilities = emotion?.smoother.current;
    const dominant = emotion?.dominant.index;
    if (!probabilities || dominant === undefined) return undefined;
    return { faceId: track.id, probabilities, dominant, box, frameSeq, timestampMs };
  }

  private stateOf(track: Track, frameSeq?: number, timestampMs?: number): FaceState | undefined {
    const emotion = this.emotions.get(track.id);
    if (!emotion?.announced) return undefined;
    const snapshot = this.snapshot(track, frameSeq ?? emotion.frameSeq, timestampMs ?? emotion.timestampMs);
    return snapshot && buildFaceState(snapshot, emotion.dominant.since, emotion.visible);
  }

  private endEvents(step: TrackStep, frameSeq: number, timestampMs: number): EmotionEvent[] {
    const events: EmotionEvent[] = [];
    for (const track of step.ended) {
      const emotion = this.emotions.get(track.id);
      // Where the face was last seen, not where its motion would have carried it by the timeout (often off-frame).
      const snapshot = this.snapshot(track, frameSeq, timestampMs, track.lastSeenBox);
      if (emotion?.announced && snapshot) events.push(buildEmotionEvent('end', snapshot));
    }
    // Forget every face the tracker no longer has (ended, or tentative and dropped).
    const live = new Set(step.tracks.map((track) => track.id));
    for (const id of this.emotions.keys()) if (!live.has(id)) this.emotions.delete(id);
    return events;
  }

  private view(step: TrackStep, frameSeq: number, timestampMs: number): TrackedFace[] {
    return step.tracks.map((track) => {
      const detectionIndex = step.matched.get(track.id);
      const emotion = this.emotions.get(track.id);
      const state = track.confirmed ? this.stateOf(track, frameSeq, timestampMs) : undefined;
      const centre = boxCentre(track.box);
      return {
        faceId: track.id,
        box: { ...track.box },
        confirmed: track.confirmed,
        visible: emotion?.visible ?? true,
        ...(emotion?.landmarkOffsets ? { landmarks: emotion.landmarkOffsets.map((offset) => ({ x: centre.x + offset.x, y: centre.y + offset.y })) } : {}),
        ...(detectionIndex === undefined ? {} : { detectionIndex }),
        ...(state ? { state } : {}),
      };
    });
  }
}

function landmarkOffsets(detection: TrackerDetection): Point[] | undefined {
  if (!detection.landmarks) return undefined;
  const centre = boxCentre(detection.box);
  return detection.landmarks.map((point) => ({ x: point.x - centre.x, y: point.y - centre.y }));
}
