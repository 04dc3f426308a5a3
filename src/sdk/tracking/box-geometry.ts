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

/** The part of the box inside a width x height frame; undefined when nothing of it is inside. */
export function clipBox(box: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The box limited to a width x height frame, never empty: its part inside the frame, or for a box wholly outside,
 * the 1-pixel strip of the frame's edge nearest to it; a box already inside is returned as it is. For reporting boxes
 * (events, face states), which must lie in the frame.
 */
export function clampBox(box: Box, width: number, height: number): Box {
  if (box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height) return box;
  const x0 = Math.min(Math.max(0, box.x), width - 1);
  const y0 = Math.min(Math.max(0, box.y), height - 1);
  const x1 = Math.max(Math.min(width, box.x + box.width), x0 + 1);
  const y1 = Math.max(Math.min(height, box.y + box.height), y0 + 1);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
