import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drift } from '../bench/soak/drift.js';
import { EventLedger, isEventIdentity } from '../bench/soak/event-ledger.js';

const event = (face_id: number, frame_seq: number, type: string, ts = 1000 + frame_seq) => ({ face_id, frame_seq, type, ts });

test('soak ledger: events matched one to one by face, frame and type; lost, duplicated and unknown counted apart', () => {
  const ledger = new EventLedger();
  for (const e of [event(1, 0, 'new'), event(1, 9, 'update'), event(1, 20, 'end'), event(2, 9, 'new'), event(2, 30, 'end')]) ledger.accept(e);
  ledger.receive(event(1, 0, 'new'), 1010);
  ledger.receive(event(1, 9, 'update'), 1020);
  ledger.receive(event(1, 9, 'update'), 1500); // a QoS 1 re-send
  ledger.receive(event(1, 20, 'end'), 1030);
  ledger.receive(event(2, 9, 'new'), 1040);
  ledger.receive(event(2, 9, 'update'), 1040); // never printed: same face and frame, another type
  assert.equal(ledger.complete, false);
  assert.deepEqual(ledger.totals(), { accepted: 5, delivered: 4, lost: 1, duplicated: 1, unknown: 1, faces: 2, facesWithMismatch: [1, 2] });
  ledger.receive(event(2, 30, 'end'), 1050);
  assert.equal(ledger.complete, true);
});

test('soak ledger: a first delivery whose frame-to-arrival span overlaps an outage is held, the rest steady', () => {
  const ledger = new EventLedger();
  const sent = [event(1, 0, 'new', 1000), event(1, 1, 'end', 1990), event(2, 2, 'new', 2500), event(2, 3, 'end', 4000)];
  for (const e of sent) ledger.accept(e);
  ledger.receive(sent[0]!, 1008); // before the outage
  ledger.receive(sent[1]!, 3100); // in flight when the broker stopped at 2000
  ledger.receive(sent[2]!, 3105); // made during the outage
  ledger.receive(sent[3]!, 4009); // after it ended at 3000
  ledger.receive(sent[0]!, 3110); // a second copy does not count twice
  const { steady, held } = ledger.deliveries([{ from: 2000, to: 3000 }]);
  assert.deepEqual(steady.map((d) => d.latencyMs), [8, 9]);
  assert.deepEqual(held.map((d) => d.latencyMs), [1110, 605]);
  // An outage still open holds everything that arrives after it began.
  assert.equal(ledger.deliveries([{ from: 2000 }]).held.length, 3);
});

test('soak ledger: payloads without the identifying fields are told apart', () => {
  assert.equal(isEventIdentity(event(1, 0, 'new')), true);
  assert.equal(isEventIdentity({ face_id: 1, frame_seq: 0, type: 'new' }), false);
  assert.equal(isEventIdentity(undefined), false);
});

test('soak drift: first and last means, percent, and the trend an hour', () => {
  const points = Array.from({ length: 12 }, (_, i) => ({ seconds: i * 600, value: 100 + i }));
  const d = drift(points, 3)!;
  assert.deepEqual([d.start, d.end, d.max], [101, 110, 111]);
  assert.ok(Math.abs(d.percent - (9 / 101) * 100) < 1e-9);
  assert.ok(Math.abs(d.perHour - 6) < 1e-9);
  assert.equal(drift([{ seconds: 0, value: 1 }]), undefined);
});
