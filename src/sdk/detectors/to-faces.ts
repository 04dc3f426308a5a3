import { type Letterbox, toFramePoint } from '../preprocess/letterbox.js';
import type { Face, Frame, Point } from '../types.js';
import type { Candidate } from './candidate.js';

/**
 * Maps candidates from detector-input pixels back to the frame, clips boxes to it and drops faces smaller than
 * `minFaceSize`. `landmarks` picks the 5 points of types.ts (right eye, left eye, nose, right mouth, left mouth)
 * from a candidate's keypoints when the detector has them.
 */
export function toFaces(
  candidates: Candidate[],
  fit: Pick<Letterbox, 'scale' | 'padX' | 'padY'>,
  frame: Pick<Frame, 'width' | 'height'>,
  minFaceSize: number,
  landmarks?: (keypoints: Point[]) => Point[],
): Face[] {
  const faces: Face[] = [];
  for (const c of candidates) {
    const topLeft = toFramePoint(fit, c.x1, c.y1);
    const bottomRight = toFramePoint(fit, c.x2, c.y2);
    const x1 = clamp(topLeft.x, 0, frame.width);
    const y1 = clamp(topLeft.y, 0, frame.height);
    const x2 = clamp(bottomRight.x, 0, frame.width);
    const y2 = clamp(bottomRight.y, 0, frame.height);
    const width = x2 - x1;
    const height = y2 - y1;
    if (width <= 0 || height <= 0 || width < minFaceSize || height < minFaceSize) continue;
    const face: Face = { box: { x: x1, y: y1, width, height }, score: c.score };
    if (landmarks && c.keypoints.length > 0) face.landmarks = landmarks(c.keypoints.map((p) => toFramePoint(fit, p.x, p.y)));
    faces.push(face);
  }
  return faces.sort((a, b) => b.score - a.score);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
