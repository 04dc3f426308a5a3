import type { MqttClient } from 'mqtt';
import { within } from '../../core/within.js';

/**
 * Face ids that have a retained, non-empty `<facesPrefix><id>` message on the broker. Called on the first connection,
 * it finds the faces an earlier run of the same device left behind when it could not clear them (SIGKILL, the OOM
 * killer, a power cut). Subscribes at QoS 0 and unsubscribes at once: the broker sends the retained messages right
 * after the SUBACK, so all of them arrive before the UNSUBACK. Resolves [] when the broker refuses the subscription
 * (an ACL that allows this client to publish only) or nothing came back within `timeoutMs`.
 */
export async function retainedFaceIds(client: MqttClient, facesPrefix: string, timeoutMs: number): Promise<number[]> {
  const found = new Set<number>();
  const filter = `${facesPrefix}+`;
  const onMessage = (topic: string, payload: Buffer, packet: { retain: boolean }): void => {
    if (!packet.retain || payload.length === 0 || !topic.startsWith(facesPrefix)) return;
    const id = Number(topic.slice(facesPrefix.length));
    if (Number.isSafeInteger(id)) found.add(id);
  };
  client.on('message', onMessage);
  try {
    const swept = (async () => {
      const granted = await client.subscribeAsync(filter, { qos: 0 });
      if (granted.some((grant) => grant.qos >= 0x80)) return false;
      await client.unsubscribeAsync(filter);
      return true;
    })();
    swept.catch(() => undefined);
    return (await within(swept, timeoutMs, false)) ? [...found] : [];
  } catch {
    return [];
  } finally {
    client.off('message', onMessage);
  }
}
