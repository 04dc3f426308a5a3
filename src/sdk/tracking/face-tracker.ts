import { z } from 'zod';
import type { Box } from '../types.js';
import { associate } from './associate.js';
import { Track } from './track.js';

export const faceTrackerConfigSchema = z
  .object({
    /** Consecutive detection frames before a new track is confirmed (and reported). */
    minHits: z.number().int().min(1).default(2),
    /** A confirmed track not detected for this long has ended. */
    lostTimeoutMs: z.number().positive().default(1000),
    minIou: z.number().min(0).max(1).default(0.1),
    maxCentreDistance: z.number().positive().default(1.0),
    distanceWeight: z.number().min(0).default(0.5),
  })
  .strict();
export type FaceTrackerConfig = z.output<typeof faceTrackerConfigSchema>;

export interface TrackStep {
  /** Every live track, tentative ones included. */
  tracks: Track[];
  /** Track id -> index of the detection matched on this step. */
  matched: Map<number, number>;
  /** Tracks confirmed on this step. */
  confirmed: Track[];
  /** Confirmed tracks that ended on this step (not seen for lostTimeoutMs). */
  ended: Track[];
}

/**
 * Gives faces stable integer ids across frames: association of detections to the tracks' motion predictions,
 * confirmation after `minHits` consecutive detections, coasting through gaps, and an end after `lostTimeoutMs`.
 * Call `update` on frames with detections and `predict` on frames without (detection every K frames).
 */
export class FaceTracker {
  private readonly config: FaceTrackerConfig;
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(config: z.input<typeof faceTrackerConfigSchema> = {}) {
    this.config = faceTrackerConfigSchema.parse(config);
  }

  update(timestampMs: number, detections: Box[]): TrackStep {
    const { matches, unmatchedTracks, unmatchedDetections } = associate(
      this.tracks.map((track) => track.predict(timestampMs)),
      detections,
      this.config,
    );
    const matched = new Map<number, number>();
    const confirmed: Track[] = [];
    for (const [trackIndex, detectionIndex] of matches) {
      const track = this.tracks[trackIndex]!;
      track.observe(detections[detectionIndex]!, timestampMs);
      matched.set(track.id, detectionIndex);
      if (!track.confirmed && track.hits >= this.config.minHits) {
        track.confirmed = true;
        confirmed.push(track);
      }
    }
    const dropped = new Set<Track>();
    for (const trackIndex of unmatchedTracks) {
      const track = this.tracks[trackIndex]!;
      // A tentative track that misses once was most likely a false detection.
      if (!track.confirmed) dropped.add(track);
      else track.miss(timestampMs);
    }
    this.tracks = this.tracks.filter((track) => !dropped.has(track));
    for (const detectionIndex of unmatchedDetections) {
      const track = new Track(this.nextId++, detections[detectionIndex]!, timestampMs);
      matched.set(track.id, detectionIndex);
      if (this.config.minHits <= 1) {
        track.confirmed = true;
        confirmed.push(track);
      }
      this.tracks.push(track);
    }
    return { tracks: [...this.tracks], matched, confirmed, ended: this.removeLost(timestampMs) };
  }

  /** A frame without detection: boxes move by their motion model; tracks past the timeout end. */
  predict(timestampMs: number): TrackStep {
    for (const track of this.tracks) track.box = track.predict(timestampMs);
    return { tracks: [...this.tracks], matched: new Map(), confirmed: [], ended: this.removeLost(timestampMs) };
  }

  get liveTracks(): readonly Track[] {
    return this.tracks;
  }

  /** Ends every track (the source stopped). */
  clear(): Track[] {
    const ended = this.tracks.filter((track) => track.confirmed);
    this.tracks = [];
    return ended;
  }

  private removeLost(timestampMs: number): Track[] {
    const ended: Track[] = [];
    this.tracks = this.tracks.filter((track) => {
      if (timestampMs - track.lastSeenMs <= this.config.lostTimeoutMs) return true;
      if (track.confirmed) ended.push(track);
      return false;
    });
    return ended;
  }
}
