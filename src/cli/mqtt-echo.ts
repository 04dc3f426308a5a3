import mqtt, { type MqttClient } from 'mqtt';
import type { EmotionEvent } from '../sdk/types.js';

/**
 * A subscriber inside the `run` process that prints events as the broker delivers them: what robot code
 * subscribed to `<prefix>/<device>/events` receives. Used by the demo; `close()` waits for the device's
 * `offline` status (published after the last event) so that nothing in flight is cut off.
 */
export class MqttEcho {
  private received = 0;
  private offline: (() => void) | undefined;

  private constructor(
    private readonly client: MqttClient,
    private readonly statusTopic: string,
  ) {}

  static async connect(
    url: string,
    topicBase: string,
    print: (event: EmotionEvent) => void,
    credentials: { username?: string; password?: string } = {},
  ): Promise<MqttEcho> {
    const { username, password } = credentials;
    const client = await mqtt.connectAsync(url, { clientId: `fer-edge-echo-${process.pid}`, protocolVersion: 4, reconnectPeriod: 500, username, password });
    const echo = new MqttEcho(client, `${topicBase}status`);
    client.on('message', (topic, payload) => {
      if (topic === echo.statusTopic) {
        if (payload.toString() === 'offline') echo.offline?.();
        return;
      }
      echo.received++;
      print(JSON.parse(payload.toString()) as EmotionEvent);
    });
    await client.subscribeAsync([`${topicBase}events`, echo.statusTopic], { qos: 1 });
    return echo;
  }

  get count(): number {
    return this.received;
  }

  async close(timeoutMs = 3000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.offline = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    await this.client.endAsync();
  }
}
