import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { EVENT_SCHEMA_ID, FACE_STATE_SCHEMA_ID, type EmotionEvent, type FaceState } from '../../src/sdk/events/index.js';
import { schemaPath } from '../../scripts/schema-files.js';
import { repoRoot } from './shared.js';

// Validation against the checked-in files (what subscribers get), not against the zod schemas they are made from.
const ajv = new Ajv2020({ allErrors: true });

function compile<T>(id: string): ValidateFunction<T> {
  return ajv.compile<T>(JSON.parse(readFileSync(join(repoRoot, schemaPath(id)), 'utf8')) as object);
}

const isEvent = compile<EmotionEvent>(EVENT_SCHEMA_ID);
const isFaceState = compile<FaceState>(FACE_STATE_SCHEMA_ID);

/** Fails unless `value` is valid against schemas/event.v1.schema.json. */
export function assertValidEvent(value: unknown): asserts value is EmotionEvent {
  assert.ok(isEvent(value), `not a ${EVENT_SCHEMA_ID}: ${ajv.errorsText(isEvent.errors)} in ${JSON.stringify(value)}`);
}

/** Fails unless `value` is valid against schemas/face-state.v1.schema.json. */
export function assertValidFaceState(value: unknown): asserts value is FaceState {
  assert.ok(isFaceState(value), `not a ${FACE_STATE_SCHEMA_ID}: ${ajv.errorsText(isFaceState.errors)} in ${JSON.stringify(value)}`);
}
