import { z } from 'zod';
import { emotionEventSchema, faceStateSchema } from '../src/sdk/events/event-schema.js';

/** The checked-in JSON Schema files and the zod schema each is generated from (src/sdk/events/event-schema.ts). */
export const SCHEMA_FILES = [emotionEventSchema, faceStateSchema].map((schema) => {
  const id = z.globalRegistry.get(schema)?.$id;
  if (typeof id !== 'string') throw new Error('every published schema has a $id in its .meta()');
  return { id, path: schemaPath(id), schema };
});

/** `fer-edge/event@1` -> `schemas/event.v1.schema.json` (relative to the package root). */
export function schemaPath(id: string): string {
  const match = /^fer-edge\/([a-z-]+)@(\d+)$/.exec(id);
  if (!match) throw new Error(`not a fer-edge schema id: ${id}`);
  return `schemas/${match[1]}.v${match[2]}.schema.json`;
}

/** The file's text: JSON Schema 2020-12 of what the zod schema outputs, its identity and description first. */
export function renderSchemaFile(schema: z.ZodType): string {
  const { $schema, $id, title, description, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' });
  return JSON.stringify({ $schema, $id, title, description, ...rest }, null, 2) + '\n';
}
