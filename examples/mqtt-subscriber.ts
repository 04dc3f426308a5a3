/**
 * Robot code that reacts to fer-edge's emotion events over MQTT. It needs only an MQTT client, not fer-edge itself:
 * the JSON on `<prefix>/<device>/events` is the contract.
 *
 *   node --import tsx examples/mqtt-subscriber.ts [broker-url] [device-id]
 *   (defaults: $FER_EDGE_MQTT_URL or mqtt://127.0.0.1:1883, and every device: +)
 */
import mqtt from 'mqtt';

/** The wire format of an event (see EmotionEvent in fer-edge's src/sdk/types.ts). */
interface EmotionEvent {
  type: 'new' | 'update' | 'end';
  face_id: number;
  emotion: string;
  /** The ROS4HRI word: angry, disgusted, scared, happy, sad, surprised, neutral. */
  expression: string;
  confidence: number;
  valence: number;
  arousal: number;
  box: { x: number; y: number; width: number; height: number };
  frame_seq: number;
  ts: number;
}

const url = process.argv[2] ?? process.env.FER_EDGE_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const device = process.argv[3] ?? '+';

/** What this robot does about an event; replace the lines with motion, speech or a screen face. */
function react(event: EmotionEvent, previous: string | undefined): string | undefined {
  const person = `person ${event.face_id}`;
  switch (event.type) {
    case 'new':
      return `${person} appeared, looking ${event.expression}`;
    case 'update':
      if (previous === event.expression) return undefined; // fer-edge also sends an update when the box moves a lot
      if (event.valence < -0.4 && event.confidence > 0.6) return `${person} just looked ${event.expression}: slowing down and backing off`;
      return `${person} just looked ${event.expression}`;
    case 'end':
      return `${person} left`;
  }
}

const lastExpression = new Map<string, string>();
// QoS 1 and a persistent session: events published while this program is offline are waiting when it comes back.
const client = mqtt.connect(url, { clientId: `robot-reactions-${device === '+' ? 'all' : device}`, clean: false });
client.on('connect', (connack) => {
  const listening = () => console.log(`listening to fer-edge/${device} on ${url}`);
  if (connack.sessionPresent) return listening(); // the broker kept our subscriptions
  client.subscribe([`fer-edge/${device}/events`, `fer-edge/${device}/status`], { qos: 1 }, (error) => {
    if (error) console.error(`cannot subscribe: ${error.message}`);
    else listening();
  });
});
client.on('error', (error) => console.error(`mqtt: ${error.message}`));
client.on('message', (topic, payload) => {
  const deviceId = topic.split('/')[1]!;
  if (topic.endsWith('/status')) {
    console.log(`fer-edge on ${deviceId} is ${payload.toString()}`);
    return;
  }
  let event: EmotionEvent;
  try {
    event = JSON.parse(payload.toString()) as EmotionEvent;
  } catch {
    console.error(`ignoring a malformed event on ${topic}`);
    return;
  }
  const key = `${deviceId}/${event.face_id}`;
  const line = react(event, lastExpression.get(key));
  if (event.type === 'end') lastExpression.delete(key);
  else lastExpression.set(key, event.expression);
  if (line) console.log(`[${deviceId}] ${line}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => client.end(() => process.exit(0)));
