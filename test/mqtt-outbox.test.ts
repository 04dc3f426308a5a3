import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../src/core/errors.js';
import { createMqttPublisher, type MqttPublisher } from '../src/sdk/mqtt/index.js';
import { OutboxJournal } from '../src/sdk/mqtt/outbox-journal.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { brokerForTests, freePort, type Mosquitto } from './helpers/mosquitto.js';
import { Collector, sampleEvent } from './helpers/mqtt-fixtures.js';
import { tempDirForTests } from './helpers/temp-dir.js';

let broker: Mosquitto;
brokerForTests((started) => (broker = started));

const fastReconnect = { minDelayMs: 100, maxDelayMs: 400 };

async function waitForState(publisher: MqttPublisher, state: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (publisher.state.state !== state) {
    assert.ok(Date.now() < deadline, `state ${publisher.state.state}, expected ${state}`);
    await sleep(10);
  }
}

test('an overflow while the broker is unreachable is counted; close() returns at once and the next start sends the kept events in order', async (t) => {
  const dir = tempDirForTests('fer-edge-outbox-', t);
  const nowhere = `mqtt://127.0.0.1:${await freePort()}`;
  const first = await createMqttPublisher({ url: nowhere, reconnect: fastReconnect, outbox: { dir, maxEvents: 5 } }, 'robot-spool');
  await waitForState(first, 'unreachable');
  for (let seq = 0; seq < 12; seq++) first.publishEvent(sampleEvent(1, seq));
  assert.deepEqual(first.state, { connected: false, state: 'unreachable', queued: 5, spooled: 5, dropped: 7, refused: 0, delivered: 0 });
  const closeStart = performance.now();
  await first.close();
  const closeMs = performance.now() - closeStart;
  assert.ok(closeMs < 500, `close() took ${closeMs} ms with the broker unreachable`);

  const subscriber = await Collector.connect(broker.url, 'fer-edge/robot-spool/events');
  const second = await createMqttPublisher({ url: broker.url, reconnect: fastReconnect, outbox: { dir, maxEvents: 5 } }, 'robot-spool');
  try {
    assert.equal(second.state.spooled, 5);
    assert.equal(await second.waitConnected(3000), true);
    assert.equal(await second.waitDrained(3000), true);
    await subscriber.waitFor('the 5 kept events', () => subscriber.messages.length >= 5);
    await sleep(100);
    assert.deepEqual(subscriber.messages.map((m) => (JSON.parse(m.payload) as EmotionEvent).frame_seq), [7, 8, 9, 10, 11]);
    assert.deepEqual(second.state, { connected: true, state: 'connected', queued: 0, spooled: 0, dropped: 0, refused: 0, delivered: 5 });
  } finally {
    await second.close();
    await subscriber.close();
  }
  assert.equal(existsSync(join(dir, 'events.jsonl')), false, 'nothing left on disk');
  assert.equal(existsSync(join(dir, 'lock')), false, 'the directory is released');
});

test('a smaller maxEvents on restart keeps the newest events and counts the rest as dropped', async (t) => {
  const dir = tempDirForTests('fer-edge-outbox-', t);
  const nowhere = `mqtt://127.0.0.1:${await freePort()}`;
  const first = await createMqttPublisher({ url: nowhere, reconnect: fastReconnect, outbox: { dir } }, 'robot-shrink');
  for (let seq = 0; seq < 8; seq++) first.publishEvent(sampleEvent(2, seq));
  await first.close();
  const second = await createMqttPublisher({ url: nowhere, reconnect: fastReconnect, outbox: { dir, maxEvents: 3 } }, 'robot-shrink');
  try {
    const { queued, spooled, dropped } = second.state;
    assert.deepEqual({ queued, spooled, dropped }, { queued: 3, spooled: 3, dropped: 5 });
  } finally {
    await second.close();
  }
  const kept = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(kept.map((line) => (JSON.parse(line.slice(line.indexOf(' ') + 1)) as EmotionEvent).frame_seq), [5, 6, 7]);
});

test('the journal skips a record a crash cut short and settled events, and is rewritten compactly', (t) => {
  const dir = tempDirForTests('fer-edge-journal-', t);
  const event = (seq: number) => JSON.stringify(sampleEvent(1, seq));
  // 0 settled, 1 and 2 waiting, 3 cut short mid-record (no newline), one line of garbage.
  writeFileSync(join(dir, 'events.jsonl'), `+0 ${event(0)}\n+1 ${event(1)}\n-0\nnot a record\n+2 ${event(2)}\n+3 ${event(3).slice(0, 40)}`);
  const { journal, entries } = OutboxJournal.open(dir);
  try {
    assert.deepEqual(entries.map((e) => e.seq), [1, 2]);
    assert.equal(readFileSync(join(dir, 'events.jsonl'), 'utf8'), `+1 ${event(1)}\n+2 ${event(2)}\n`);
    // Settled records are appended; after enough of them the journal is rewritten with what still waits.
    for (let seq = 10; seq < 1210; seq++) journal.add({ seq, payload: event(seq) });
    for (let seq = 10; seq < 1210; seq++) journal.settle(seq);
    journal.settle(1);
    assert.equal(journal.size, 1);
    assert.ok(statSync(join(dir, 'events.jsonl')).size < 200_000, 'compacted');
  } finally {
    journal.close();
  }
  assert.equal(readFileSync(join(dir, 'events.jsonl'), 'utf8'), `+2 ${event(2)}\n`);
});

test('two publishers never share an outbox directory; a lock left by a dead process is taken over', async (t) => {
  const dir = tempDirForTests('fer-edge-outbox-', t);
  const { journal } = OutboxJournal.open(dir);
  try {
    assert.throws(() => OutboxJournal.open(dir), (error: Error) => error instanceof ConfigError && /^mqtt\.outbox\.dir: .* is in use by another publisher \(pid \d+\)/.test(error.message));
  } finally {
    journal.close();
  }
  writeFileSync(join(dir, 'lock'), '2147483646\n'); // no such process
  const again = OutboxJournal.open(dir);
  assert.equal(readFileSync(join(dir, 'lock'), 'utf8').trim(), String(process.pid));
  again.journal.close();
});

test('an outbox directory that cannot be created is a ConfigError naming mqtt.outbox.dir', async (t) => {
  const dir = tempDirForTests('fer-edge-outbox-', t);
  writeFileSync(join(dir, 'a-file'), '');
  await assert.rejects(
    createMqttPublisher({ url: broker.url, outbox: { dir: join(dir, 'a-file', 'outbox') } }, 'robot-baddir'),
    (error: Error) => error instanceof ConfigError && /^mqtt\.outbox\.dir: cannot create .*a-file\/outbox \(ENOTDIR\)$/.test(error.message),
  );
});
