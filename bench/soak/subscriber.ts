import mqtt, { type MqttClient } from 'mqtt';

export interface SubscriberHandlers {
  /** A message on `events`, parsed (undefined when not JSON), with its arrival time. */
  event(payload: unknown, arrivedAt: number): void;
  stats(payload: Record<string, unknown>, arrivedAt: number): void;
  /** The device published `online` (live, not the retained copy a new subscription gets): it has (re)connected. */
  online(arrivedAt: number): void;
}

/**
 * A robot-side subscriber of one device's topics. Its session is persistent (clean: false, a fixed client id, QoS 1),
 * so that with a broker that keeps sessions across restarts no event published while it was reconnecting is missed.
 */
export async function subscribeDevice(url: string, base: string, handlers: SubscriberHandlers): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: 'fer-edge-soak-subscriber', clean: false, reconnectPeriod: 250, connectTimeout: 5000 });
  client.on('message', (topic, payload, packet) => {
    const arrivedAt = Date.now();
    const text = payload.toString();
    if (topic === `${base}events`) handlers.event(parseJson(text), arrivedAt);
    else if (topic === `${base}stats`) {
      const stats = parseJson(text);
      if (typeof stats === 'object' && stats !== null) handlers.stats(stats as Record<string, unknown>, arrivedAt);
    } else if (topic === `${base}status` && text === 'online' && !packet.retain) handlers.online(arrivedAt);
  });
  await client.subscribeAsync({ [`${base}events`]: { qos: 1 }, [`${base}status`]: { qos: 1 }, [`${base}stats`]: { qos: 0 } });
  return client;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
