import type { TensorData } from '../types.js';

/**
 * The buffers of these tensors that can move to another thread without a copy: those a tensor covers whole (a view
 * into a larger buffer would detach the rest of it too). The sender must not touch them afterwards.
 */
export function transferables(tensors: Record<string, TensorData>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of Object.values(tensors)) {
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) buffers.add(data.buffer);
  }
  return [...buffers];
}
