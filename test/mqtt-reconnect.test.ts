import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMqttPublisher } from '../src/sdk/mqtt/index.js';
import { sampleEvent } from './helpers/mqtt-fixtures.js';

test('reconnect attempts back off exponentially to the maximum delay and never stop', async () => {
  // A TCP endpoint that hangs up on every connection: each accepted socket is one connection attempt.
  const attempts: number[] = [];
  const server = createServer((socket: Socket) => {
    attempts.push(performance.now());
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const publisher = await createMqttPublisher(
    { url: `mqtt://127.0.0.1:${port}`, reconnect: { minDelayMs: 50, maxDelayMs: 400 }, closeTimeoutMs: 0, outbox: { dir: false } },
    'robot-backoff',
  );
  try {
    publisher.publishEvent(sampleEvent(1, 0));
    await sleep(2500);
    // With a fixed 50 ms period this would be ~50 attempts; with 50, 100, 200, 400, 400... (+-20%) about 9.
    assert.ok(attempts.length >= 6 && attempts.length <= 13, `${attempts.length} attempts`);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    assert.ok(gaps[0]! < 150, `first retry after ${gaps[0]} ms`);
    for (const gap of gaps.slice(4)) assert.ok(gap > 250 && gap < 600, `late gaps near 400 ms: ${gaps.map(Math.round)}`);
    assert.deepEqual(publisher.state, { connected: false, state: 'unreachable', queued: 1, spooled: 0, dropped: 0, refused: 0, delivered: 0 });
  } finally {
    await publisher.close();
    server.close();
  }
});
