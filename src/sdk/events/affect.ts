import { EMOTION_LABELS, type EmotionLabel } from '../types.js';

/**
 * A fixed (valence, arousal) point per emotion on the circumplex model of affect (Russell 1980). The values are the
 * pleasure and arousal coordinates measured by Russell & Mehrabian (1977) for these emotion words, as tabulated in
 * Gebhard's ALMA affect model (2005); neutral sits at the origin. Both axes are in [-1, 1].
 */
export const AFFECT_COORDINATES: Record<EmotionLabel, { valence: number; arousal: number }> = {
  angry: { valence: -0.51, arousal: 0.59 },
  disgust: { valence: -0.6, arousal: 0.35 },
  fear: { valence: -0.64, arousal: 0.6 },
  happy: { valence: 0.81, arousal: 0.51 },
  sad: { valence: -0.63, arousal: -0.27 },
  surprise: { valence: 0.4, arousal: 0.67 },
  neutral: { valence: 0, arousal: 0 },
};

const clamp = (x: number): number => Math.max(-1, Math.min(1, x));

/** The expected (valence, arousal) under the probabilities (FER2013 order), clamped to [-1, 1]. */
export function valenceArousal(probabilities: ArrayLike<number>): { valence: number; arousal: number } {
  let valence = 0;
  let arousal = 0;
  let total = 0;
  EMOTION_LABELS.forEach((label, i) => {
    const p = probabilities[i] ?? 0;
    valence += p * AFFECT_COORDINATES[label].valence;
    arousal += p * AFFECT_COORDINATES[label].arousal;
    total += p;
  });
  // Probabilities should sum to 1; normalise anyway so a slightly off distribution stays on the same scale.
  return total > 0 ? { valence: clamp(valence / total), arousal: clamp(arousal / total) } : { valence: 0, arousal: 0 };
}
