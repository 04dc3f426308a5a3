import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceStates } from '../src/sdk/mqtt/face-states.js';
import { assertFaceState, sampleEvent, sampleFaceState } from './helpers/mqtt-fixtures.js';

test('events are due at once; per-frame states at most once per interval per face', () => {
  const faces = new FaceStates(1000);
  faces.update(sampleEvent(1, 0, 'new'));
  assert.deepEqual(faces.takeDue(0).states.map((s) => s.frame_seq), [0]);
  for (let t = 100; t <= 900; t += 100) {
    faces.set(sampleFaceState(1, t / 100));
    assert.equal(faces.takeDue(t).states.length, 0, `throttled at ${t} ms`);
  }
  assert.deepEqual(faces.takeDue(1000).states.map((s) => s.frame_seq), [9]);
  faces.update(sampleEvent(1, 10, 'update', 'surprise'));
  assert.deepEqual(faces.takeDue(1001).states.map((s) => [s.frame_seq, s.emotion]), [[10, 'surprise']]);
});

test('since_ts marks when the dominant emotion began', () => {
  const faces = new FaceStates(0);
  faces.update(sampleEvent(1, 0, 'new', 'happy'));
  faces.update(sampleEvent(1, 5, 'update', 'happy'));
  const [state] = faces.takeDue(0).states;
  assertFaceState(state); // a state made from an event is a face state, not an event
  assert.equal(state.since_ts, sampleEvent(1, 0).ts);
  faces.update(sampleEvent(1, 9, 'update', 'sad'));
  assert.equal(faces.takeDue(0).states[0]!.since_ts, sampleEvent(1, 9).ts);
});

test('an ended face is cleared only if its state may be retained on the broker, and a reconnect resends every face', () => {
  const faces = new FaceStates(0);
  faces.update(sampleEvent(1, 0, 'new'));
  faces.update(sampleEvent(2, 0, 'new'));
  faces.takeDue(0); // both handed to the broker
  faces.update(sampleEvent(3, 1, 'new'));
  faces.update(sampleEvent(3, 2, 'end')); // never published: nothing to clear
  faces.update(sampleEvent(1, 3, 'end'));
  assert.deepEqual(faces.takeDue(1), { states: [], clears: [1] });
  assert.equal(faces.size, 1);
  faces.markAllDue();
  assert.deepEqual(faces.takeDue(2).states.map((s) => s.face_id), [2]);
  faces.set(sampleFaceState(1, 4)); // a late state of the ended face is ignored
  assert.deepEqual(faces.takeDue(3), { states: [], clears: [] });
});
