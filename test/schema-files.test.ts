import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVENT_SCHEMA_ID, FACE_STATE_SCHEMA_ID } from '../src/sdk/events/index.js';
import { renderSchemaFile, SCHEMA_FILES } from '../scripts/schema-files.js';
import { assertValidEvent } from './helpers/schema-files.js';
import { repoRoot } from './helpers/shared.js';

test('the checked-in JSON Schema files are what the zod schemas generate now', () => {
  assert.deepEqual(
    SCHEMA_FILES.map(({ id, path }) => [id, path]),
    [
      [EVENT_SCHEMA_ID, 'schemas/event.v1.schema.json'],
      [FACE_STATE_SCHEMA_ID, 'schemas/face-state.v1.schema.json'],
    ],
  );
  for (const { path, schema } of SCHEMA_FILES) {
    const checkedIn = readFileSync(join(repoRoot, path), 'utf8');
    assert.ok(checkedIn === renderSchemaFile(schema), `${path} differs from src/sdk/events/event-schema.ts: run npm run schemas`);
  }
});

test("the README's example event is valid against the event schema file", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const example = /```json\n(\{ "schema": "fer-edge\/event@1"[^`]*)```/.exec(readme);
  assert.ok(example, 'no example event in README.md');
  assertValidEvent(JSON.parse(example[1]!));
});
