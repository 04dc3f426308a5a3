import type { Box } from '../types.js';
import { centreDistance, iou } from './box-geometry.js';

export interface AssociationConfig {
  /** Pairs overlapping at least this much may match... */
  minIou: number;
  /** ...and so may pairs whose centres are at most this many box sizes apart (fast motion, small faces). */
  maxCentreDistance: number;
  /** Weight of the normalised centre distance against (1 - IoU) in the matching cost. */
  distanceWeight: number;
}

export interface Association {
  /** [track index, detection index] */
  matches: [number, number][];
  unmatchedTracks: number[];
  unmatchedDetections: number[];
}

/**
 * Greedy matching of predicted track boxes to detections by a cost combining overlap and centre distance: the
 * cheapest admissible pair first. With the handful of faces a robot sees, greedy equals the optimal assignment in
 * practice and stays trivially cheap.
 */
export function associate(predicted: Box[], detections: Box[], config: AssociationConfig): Association {
  const pairs: { a: number; b: number; cost: number }[] = [];
  predicted.forEach((trackBox, track) => {
    detections.forEach((detectionBox, detection) => {
      const overlap = iou(trackBox, detectionBox);
      const distance = centreDistance(trackBox, detectionBox);
      if (overlap < config.minIou && distance > config.maxCentreDistance) return;
      pairs.push({ a: track, b: detection, cost: 1 - overlap + config.distanceWeight * distance });
    });
  });
  const matches = greedyAssignment(pairs);
  const usedTracks = new Set(matches.map(([track]) => track));
  const usedDetections = new Set(matches.map(([, detection]) => detection));
  return {
    matches,
    unmatchedTracks: predicted.map((_, i) => i).filter((i) => !usedTracks.has(i)),
    unmatchedDetections: detections.map((_, i) => i).filter((i) => !usedDetections.has(i)),
  };
}

/** One-to-one matching of admissible [a, b] pairs, the cheapest first; returns the [a, b] pairs taken. */
export function greedyAssignment(pairs: { a: number; b: number; cost: number }[]): [number, number][] {
  const sorted = [...pairs].sort((p, q) => p.cost - q.cost);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const matches: [number, number][] = [];
  for (const { a, b } of sorted) {
    if (usedA.has(a) || usedB.has(b)) continue;
    usedA.add(a);
    usedB.add(b);
    matches.push([a, b]);
  }
  return matches;
}
