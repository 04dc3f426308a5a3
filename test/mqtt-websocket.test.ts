import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import { assertEmotionEvent, Collector, sampleEvent } from './helpers/mqtt-fixtures.js';

// Debian's mosquitto 2.0.11 cannot open a websockets listener here, so the broker is aedes behind a real WebSocket server.
test('a ws:// broker URL works (MQTT over WebSocket)', async () => {
  const broker = await Aedes.createBroker();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => broker.handle(createWebSocketStream(socket)));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `ws://127.0.0.1:${(http.address() as { port: number }).port}`;

  const subscriber = await Collector.connect(url, 'fer-edge/robot-ws/events', { protocolVersion: 4 });
  const publisher = await createMqttPublisher({ url }, 'robot-ws');
  try {
    assert.equal(await publisher.waitConnected(3000), true);
    publisher.publishEvent(sampleEvent(4, 2, 'new', 'disgust'));
    await subscriber.waitFor('the event', () => subscriber.messages.length === 1);
    const event = JSON.parse(subscriber.messages[0]!.payload) as unknown;
    assertEmotionEvent(event);
    assert.equal(event.expression, 'disgusted');
    assert.equal(await publisher.waitDrained(2000), true);
  } finally {
    await subscriber.close();
    await publisher.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    wss.close();
    http.close();
  }
});
