import type { PipelineResult } from '../pipeline.js';
import type { Box } from '../types.js';

/** What the page draws over one frame: each face's box, id and, once classified, its smoothed emotion. */
export interface FrameDescription {
  type: 'frame';
  seq: number;
  ts: number;
  width: number;
  height: number;
  detected: boolean;
  faces: Array<{
    id: number;
    box: Box;
    confirmed: boolean;
    visible: boolean;
    emotion?: string;
    confidence?: number;
    probabilities?: Record<string, number>;
  }>;
}

export function describeFrame(result: PipelineResult): FrameDescription {
  const { seq, timestampMs, width, height } = result.frame;
  return {
    type: 'frame',
    seq,
    ts: timestampMs,
    width,
    height,
    detected: result.detected,
    faces: result.faces.map(({ faceId, box, confirmed, visible, state }) => ({
      id: faceId,
      box,
      confirmed,
      visible,
      ...(state ? { emotion: state.emotion, confidence: state.confidence, probabilities: state.probabilities } : {}),
    })),
  };
}
