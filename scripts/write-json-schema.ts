/**
 * Writes schema-examples/galley.schema.json from the schema file's TypeBox definition.
 * Run: node scripts/run-bun.mjs scripts/write-json-schema.ts   (a test fails while the file is stale)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSchemaJsonSchema, JSON_SCHEMA_FILE_NAME } from '../server/src/schema/json-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'schema-examples', JSON_SCHEMA_FILE_NAME);
writeFileSync(target, `${JSON.stringify(generateSchemaJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
