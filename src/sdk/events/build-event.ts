import { EMOTION_LABELS, REP155_EXPRESSIONS, type EmotionLabel } from '../labels.js';
import type { Box } from '../types.js';
import { valenceArousal } from './affect.js';
import { EVENT_SCHEMA_ID, FACE_STATE_SCHEMA_ID, type EmotionEvent, type EmotionEventType, type FaceState } from './event-schema.js';

export interface EmotionSnapshot {
  faceId: number;
  /** Smoothed probabilities, FER2013 order. */
  probabilities: Float32Array;
  /** Index of the dominant emotion (after hysteresis). */
  dominant: number;
  box: Box;
  frameSeq: number;
  timestampMs: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function emotionFields(snapshot: EmotionSnapshot): Omit<EmotionEvent, 'schema' | 'type'> {
  const probabilities = Object.fromEntries(EMOTION_LABELS.map((label, i) => [label, round(snapshot.probabilities[i] ?? 0, 4)])) as Record<EmotionLabel, number>;
  const { valence, arousal } = valenceArousal(snapshot.probabilities);
  const { box } = snapshot;
  return {
    face_id: snapshot.faceId,
    emotion: EMOTION_LABELS[snapshot.dominant]!,
    expression: REP155_EXPRESSIONS[snapshot.dominant]!,
    confidence: round(snapshot.probabilities[snapshot.dominant] ?? 0, 4),
    probabilities,
    valence: round(valence, 4),
    arousal: round(arousal, 4),
    box: { x: round(box.x, 1), y: round(box.y, 1), width: round(box.width, 1), height: round(box.height, 1) },
    frame_seq: snapshot.frameSeq,
    ts: Math.round(snapshot.timestampMs),
  };
}

export function buildEmotionEvent(type: EmotionEventType, snapshot: EmotionSnapshot): EmotionEvent {
  return { schema: EVENT_SCHEMA_ID, type, ...emotionFields(snapshot) };
}

export function buildFaceState(snapshot: EmotionSnapshot, sinceMs: number, visible: boolean): FaceState {
  return { schema: FACE_STATE_SCHEMA_ID, ...emotionFields(snapshot), since_ts: Math.round(sinceMs), visible };
}
