import { type Candidate, intersectionOverUnion } from './candidate.js';

/** Greedy non-maximum suppression: keeps the best box, drops those overlapping it by more than `iouThreshold`. */
export function hardNms(candidates: Candidate[], iouThreshold: number): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => intersectionOverUnion(k, candidate) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/**
 * MediaPipe's WEIGHTED non-maximum suppression (BlazeFace's "blending"): each cluster of boxes overlapping the best
 * remaining one by more than `iouThreshold` becomes one detection whose box and keypoints are the score-weighted mean
 * of the cluster, with the best box's score. Steadier than greedy NMS on video.
 */
export function weightedNms(candidates: Candidate[], iouThreshold: number): Candidate[] {
  let remaining = [...candidates].sort((a, b) => b.score - a.score);
  const merged: Candidate[] = [];
  while (remaining.length > 0) {
    const best = remaining[0] as Candidate;
    const cluster: Candidate[] = [];
    const rest: Candidate[] = [];
    for (const candidate of remaining) {
      (intersectionOverUnion(best, candidate) > iouThreshold ? cluster : rest).push(candidate);
    }
    // The best box overlaps itself fully unless it is degenerate; keep it in its own cluster regardless.
    if (!cluster.includes(best)) cluster.unshift(best);
    merged.push(blend(cluster, best.score));
    remaining = rest.filter((c) => c !== best);
  }
  return merged;
}

function blend(cluster: Candidate[], score: number): Candidate {
  const total = cluster.reduce((sum, c) => sum + c.score, 0);
  const mean = (pick: (c: Candidate) => number) => cluster.reduce((sum, c) => sum + pick(c) * c.score, 0) / total;
  const first = cluster[0] as Candidate;
  return {
    x1: mean((c) => c.x1),
    y1: mean((c) => c.y1),
    x2: mean((c) => c.x2),
    y2: mean((c) => c.y2),
    score,
    keypoints: first.keypoints.map((_, k) => ({
      x: mean((c) => (c.keypoints[k] as { x: number }).x),
      y: mean((c) => (c.keypoints[k] as { y: number }).y),
    })),
  };
}
