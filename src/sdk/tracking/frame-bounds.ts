import type { Box, EmotionEvent, Face } from '../types.js';
import { clampBox, clipBox } from './box-geometry.js';
import type { TrackedFace, TrackerResult } from './emotion-tracker.js';

const round = (value: number): number => Math.round(value * 10) / 10;

/** A face classified between detections must have at least this share of its predicted box inside the frame. */
const MIN_VISIBLE_SHARE = 0.5;

/**
 * The faces worth classifying on a frame without detection: confirmed, matched on the last detection frame, and
 * mostly inside the frame at their predicted boxes. Each crop box is the predicted box clipped to the frame; the
 * landmarks (moved with the box) keep the crop eye-aligned like the detection frames' crops.
 */
export function facesToClassify(tracks: TrackedFace[], width: number, height: number): { faceId: number; face: Face }[] {
  const faces: { faceId: number; face: Face }[] = [];
  for (const track of tracks) {
    if (!track.confirmed || !track.visible) continue;
    const box = clipBox(track.box, width, height);
    if (!box || box.width * box.height < MIN_VISIBLE_SHARE * track.box.width * track.box.height) continue;
    faces.push({ faceId: track.faceId, face: { box, score: 1, ...(track.landmarks ? { landmarks: track.landmarks } : {}) } });
  }
  return faces;
}

/**
 * The tracker's output with every box it reports (events, face states, tracked faces) limited to the frame:
 * a face that leaves is carried by its motion model past the edge until it times out.
 */
export function withinFrame(result: TrackerResult, width: number, height: number): TrackerResult {
  const clamp = (box: Box): Box => {
    const clamped = clampBox(box, width, height);
    // Reported boxes carry 0.1 px (build-event.ts); keep clamped ones to that too.
    return clamped === box ? box : { x: round(clamped.x), y: round(clamped.y), width: round(clamped.width), height: round(clamped.height) };
  };
  return {
    tracks: result.tracks.map((track) => ({
      ...track,
      box: clamp(track.box),
      ...(track.state ? { state: { ...track.state, box: clamp(track.state.box) } } : {}),
    })),
    events: result.events.map((event): EmotionEvent => ({ ...event, box: clamp(event.box) })),
  };
}
