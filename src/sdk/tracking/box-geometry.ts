import type { Box, Point } from '../types.js';

export function boxCentre(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export function boxAtCentre(centre: Point, width: number, height: number): Box {
  return { x: centre.x - width / 2, y: centre.y - height / 2, width, height };
}

/** Intersection over union, 0 for disjoint boxes. */
export function iou(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

/** Distance between the centres, in units of the reference box's size (the mean of its sides). */
export function centreDistance(reference: Box, other: Box): number {
  const a = boxCentre(reference);
  const b = boxCentre(other);
  const size = Math.max((reference.width + reference.height) / 2, 1);
  return Math.hypot(a.x - b.x, a.y - b.y) / size;
}
