import cv, { type Mat, type Vec3 } from '../sdk/opencv.js';

const CELL = 72;
const LEFT = 120;
const TOP = 110;
const FONT = cv.FONT_HERSHEY_SIMPLEX;
const BLACK = new cv.Vec3(0, 0, 0);
const WHITE = new cv.Vec3(255, 255, 255);

function centredText(image: Mat, text: string, cx: number, cy: number, scale: number, color: Vec3): void {
  const { size } = cv.getTextSize(text, FONT, scale, 1);
  image.putText(text, new cv.Point2(Math.round(cx - size.width / 2), Math.round(cy + size.height / 2)), FONT, scale, color, 1, cv.LINE_AA);
}

/**
 * Draws the confusion matrix as a heat map (shade = share of the true class, i.e. per-row recall) with the count and
 * the row percentage in each cell, and writes it as PNG.
 */
export function writeConfusionPng(path: string, confusion: number[][], labels: readonly string[], title: string): void {
  const n = labels.length;
  const titleWidth = cv.getTextSize(title, FONT, 0.6, 1).size.width;
  const image = new cv.Mat(TOP + n * CELL + 20, Math.max(LEFT + n * CELL, 10 + titleWidth) + 20, cv.CV_8UC3, [255, 255, 255]);
  image.putText(title, new cv.Point2(10, 28), FONT, 0.6, BLACK, 1, cv.LINE_AA);
  centredText(image, 'predicted', LEFT + (n * CELL) / 2, 56, 0.5, BLACK);
  image.putText('true', new cv.Point2(10, TOP - 12), FONT, 0.5, BLACK, 1, cv.LINE_AA);
  confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    const y = TOP + t * CELL;
    image.putText(labels[t] ?? String(t), new cv.Point2(10, y + CELL / 2 + 5), FONT, 0.5, BLACK, 1, cv.LINE_AA);
    row.forEach((count, p) => {
      const x = LEFT + p * CELL;
      const share = total === 0 ? 0 : count / total;
      // White to dark blue (BGR).
      const shade = new cv.Vec3(255 - Math.round(share * 105), 255 - Math.round(share * 215), 255 - Math.round(share * 225));
      image.drawRectangle(new cv.Point2(x, y), new cv.Point2(x + CELL - 1, y + CELL - 1), shade, -1);
      image.drawRectangle(new cv.Point2(x, y), new cv.Point2(x + CELL - 1, y + CELL - 1), new cv.Vec3(200, 200, 200), 1);
      const ink = share > 0.5 ? WHITE : BLACK;
      centredText(image, String(count), x + CELL / 2, y + CELL / 2 - 9, 0.5, ink);
      centredText(image, `${(100 * share).toFixed(0)}%`, x + CELL / 2, y + CELL / 2 + 13, 0.4, ink);
    });
  });
  labels.forEach((label, p) => centredText(image, label, LEFT + p * CELL + CELL / 2, TOP - 22, 0.42, BLACK));
  cv.imwrite(path, image);
}
