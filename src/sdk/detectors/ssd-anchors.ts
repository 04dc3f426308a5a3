/** An SSD anchor in normalized input coordinates. */
export interface Anchor {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** MediaPipe's SsdAnchorsCalculatorOptions (the subset BlazeFace uses; reduce_boxes_in_lowest_layer is false). */
export interface SsdAnchorOptions {
  inputWidth: number;
  inputHeight: number;
  minScale: number;
  maxScale: number;
  strides: number[];
  aspectRatios: number[];
  /** > 0 adds one anchor per location with this aspect ratio at the geometric mean of this and the next scale. */
  interpolatedScaleAspectRatio: number;
  fixedAnchorSize: boolean;
  anchorOffsetX: number;
  anchorOffsetY: number;
}

/**
 * The anchors of MediaPipe's SsdAnchorsCalculator: consecutive layers with the same stride share one feature map,
 * each location gets the anchors of all of them, ordered by row, column, then anchor.
 */
export function generateSsdAnchors(o: SsdAnchorOptions): Anchor[] {
  const anchors: Anchor[] = [];
  const layers = o.strides.length;
  const scaleOf = (layer: number) =>
    layers === 1 ? (o.minScale + o.maxScale) / 2 : o.minScale + ((o.maxScale - o.minScale) * layer) / (layers - 1);
  let layer = 0;
  while (layer < layers) {
    const stride = o.strides[layer] as number;
    const sizes: { width: number; height: number }[] = [];
    let last = layer;
    for (; last < layers && o.strides[last] === stride; last++) {
      const scale = scaleOf(last);
      for (const ratio of o.aspectRatios) sizes.push(anchorSize(scale, ratio));
      if (o.interpolatedScaleAspectRatio > 0) {
        const nextScale = last === layers - 1 ? 1 : scaleOf(last + 1);
        sizes.push(anchorSize(Math.sqrt(scale * nextScale), o.interpolatedScaleAspectRatio));
      }
    }
    const rows = Math.ceil(o.inputHeight / stride);
    const cols = Math.ceil(o.inputWidth / stride);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        for (const size of sizes) {
          anchors.push({
            x: (x + o.anchorOffsetX) / cols,
            y: (y + o.anchorOffsetY) / rows,
            width: o.fixedAnchorSize ? 1 : size.width,
            height: o.fixedAnchorSize ? 1 : size.height,
          });
        }
      }
    }
    layer = last;
  }
  return anchors;
}

function anchorSize(scale: number, aspectRatio: number): { width: number; height: number } {
  const root = Math.sqrt(aspectRatio);
  return { width: scale * root, height: scale / root };
}
