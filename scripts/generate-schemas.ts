/**
 * Writes schemas/*.schema.json from the zod schemas in src/sdk/events/event-schema.ts. Run after changing them:
 *   npm run schemas   (node --import tsx scripts/generate-schemas.ts)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-paths.js';
import { SCHEMA_FILES, renderSchemaFile } from './schema-files.js';

for (const { path, schema } of SCHEMA_FILES) {
  writeFileSync(join(packageRoot(), path), renderSchemaFile(schema));
  console.log(`wrote ${path}`);
}
