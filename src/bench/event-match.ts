import { greedyAssignment, iou } from '../sdk/tracking/index.js';
import type { EmotionEvent } from '../sdk/types.js';

/** Events match when of the same type, on boxes overlapping at least this much... */
export const EVENT_IOU = 0.3;
/** ...at most this many seconds of video apart. */
export const EVENT_WINDOW_S = 0.5;

/** One-to-one matching by a score (the highest first) at or above `minimum`: [a index, b index] pairs. */
export function greedyMatch<A, B>(a: A[], b: B[], score: (x: A, y: B) => number, minimum: number): [number, number][] {
  const pairs: { a: number; b: number; cost: number }[] = [];
  a.forEach((x, i) =>
    b.forEach((y, j) => {
      const s = score(x, y);
      if (s >= minimum) pairs.push({ a: i, b: j, cost: -s });
    }),
  );
  return greedyAssignment(pairs);
}

/**
 * The reference's events matched one to one by events of another run of the same video: the same type (new, update,
 * end), boxes overlapping by EVENT_IOU, at most EVENT_WINDOW_S of video apart (frame numbers at `videoFps`), the
 * closest in time first. [reference index, run index] pairs; labels are not compared here.
 */
export function matchEvents(reference: EmotionEvent[], run: EmotionEvent[], videoFps: number): [number, number][] {
  const window = EVENT_WINDOW_S * videoFps;
  const score = (x: EmotionEvent, y: EmotionEvent): number => {
    const distance = Math.abs(x.frame_seq - y.frame_seq);
    if (x.type !== y.type || distance > window || iou(x.box, y.box) < EVENT_IOU) return -1;
    return 1 - distance / (window + 1);
  };
  return greedyMatch(reference, run, score, 0);
}
