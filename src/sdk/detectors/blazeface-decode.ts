import type { Candidate } from './candidate.js';
import type { Anchor } from './ssd-anchors.js';

/** MediaPipe's TensorsToDetectionsCalculator for BlazeFace: 16 values per anchor, reverse_output_order. */
export interface BlazeFaceDecodeOptions {
  /** x_scale = y_scale = w_scale = h_scale: the input side in pixels. */
  inputSize: number;
  minScore: number;
  /** Raw scores are clipped to +-this before the sigmoid (score_clipping_thresh). */
  scoreClip: number;
}

const VALUES_PER_ANCHOR = 16;
const KEYPOINTS = 6;

/**
 * Turns the regressors [anchors x 16] (x, y, w, h offsets then 6 keypoints x, y) and classificator logits into
 * candidates in input pixels, keeping those whose sigmoid score reaches `minScore`.
 */
export function decodeBlazeFace(regressors: Float32Array, logits: Float32Array, anchors: Anchor[], o: BlazeFaceDecodeOptions): Candidate[] {
  const size = o.inputSize;
  const candidates: Candidate[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.max(-o.scoreClip, Math.min(o.scoreClip, logits[i] as number));
    const score = 1 / (1 + Math.exp(-logit));
    if (score < o.minScore) continue;
    const anchor = anchors[i] as Anchor;
    const r = i * VALUES_PER_ANCHOR;
    const at = (k: number) => regressors[r + k] as number;
    // Normalized to [0, 1] of the input, then scaled to input pixels.
    const cx = (at(0) / size) * anchor.width + anchor.x;
    const cy = (at(1) / size) * anchor.height + anchor.y;
    const w = (at(2) / size) * anchor.width;
    const h = (at(3) / size) * anchor.height;
    const keypoints = [];
    for (let k = 0; k < KEYPOINTS; k++) {
      keypoints.push({
        x: ((at(4 + 2 * k) / size) * anchor.width + anchor.x) * size,
        y: ((at(5 + 2 * k) / size) * anchor.height + anchor.y) * size,
      });
    }
    candidates.push({ x1: (cx - w / 2) * size, y1: (cy - h / 2) * size, x2: (cx + w / 2) * size, y2: (cy + h / 2) * size, score, keypoints });
  }
  return candidates;
}
