/**
 * TFLite's (and TensorFlow's) SAME padding along one axis: the output keeps ceil(size / stride) positions and, when the
 * padding needed is odd, the extra pixel goes at the end (bottom/right). ONNX's SAME_UPPER is the same; SAME_LOWER
 * swaps the two.
 */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [before: number, after: number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
