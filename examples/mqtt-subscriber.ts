/**
 * Robot code that reacts to fer-edge's emotion events over MQTT. It needs an MQTT client and a JSON Schema validator,
 * not fer-edge itself: the JSON on `<prefix>/<device>/events`, described by schemas/event.v1.schema.json, is the
 * contract.
 *
 *   node --import tsx examples/mqtt-subscriber.ts [broker-url] [device-id]
 *   (defaults: $FER_EDGE_MQTT_URL or mqtt://127.0.0.1:1883, and every device: +)
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import mqtt from 'mqtt';

/** The fields this robot reads; the schema file defines them all. */
interface EmotionEvent {
  schema: 'fer-edge/event@1';
  type: 'new' | 'update' | 'end';
  face_id: number;
  /** The ROS4HRI word: angry, disgusted, scared, happy, sad, surprised, neutral. */
  expression: string;
  confidence: number;
  valence: number;
}

// From an installed fer-edge: import.meta.resolve('fer-edge/schemas/event.v1.schema.json').
const schema = JSON.parse(readFileSync(new URL('../schemas/event.v1.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020();
const isEmotionEvent = ajv.compile<EmotionEvent>(schema);

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
  let event: unknown;
  try {
    event = JSON.parse(payload.toString());
  } catch {
    console.error(`ignoring a malformed event on ${topic}`);
    return;
  }
  if (!isEmotionEvent(event)) {
    console.error(`ignoring an invalid event on ${topic}: ${ajv.errorsText(isEmotionEvent.errors)}`);
    return;
  }
  const key = `${deviceId}/${event.face_id}`;
  const line = react(event, lastExpression.get(key));
  if (event.type === 'end') lastExpression.delete(key);
  else lastExpression.set(key, event.expression);
  if (line) console.log(`[${deviceId}] ${line}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => client.end(() => process.exit(0)));
