/** The topic layout of DESIGN.md "MQTT conventions": everything under `<prefix>/<device id>/`. */
export interface DeviceTopics {
  /** `<prefix>/<device>/` */
  readonly base: string;
  /** Retained `online` / `offline`; `offline` is also the last will. */
  readonly status: string;
  /** EmotionEvent JSON, QoS 1. */
  readonly events: string;
  /** PipelineStats JSON every few seconds. */
  readonly stats: string;
  /** Retained summary for Home Assistant: `{ "faces": n, "emotion": "happy" | "none" }`. */
  readonly summary: string;
  /** Retained current state of one face; an empty retained message clears it. */
  face(faceId: number): string;
}

export function deviceTopics(prefix: string, deviceId: string): DeviceTopics {
  if (!deviceId || /[#+/]/.test(deviceId)) {
    throw new RangeError(`device id must be non-empty and free of '/', '#' and '+', got ${JSON.stringify(deviceId)}`);
  }
  const base = `${prefix}/${deviceId}/`;
  return {
    base,
    status: `${base}status`,
    events: `${base}events`,
    stats: `${base}stats`,
    summary: `${base}summary`,
    face: (faceId) => `${base}faces/${faceId}`,
  };
}
