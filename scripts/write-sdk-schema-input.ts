/**
 * Writes sdk/src/schema-input.generated.ts — the schema file's TypeBox definition as plain TypeScript types, so
 * `defineSchema({...})` completes and checks like the JSON Schema does in editors, without the SDK importing
 * server code. Run: node scripts/run-bun.mjs scripts/write-sdk-schema-input.ts   (a test fails while it is stale)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSchemaInputTypes } from './sdk-schema-input.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'sdk', 'src', 'schema-input.generated.ts');
writeFileSync(target, renderSchemaInputTypes());
console.log(`wrote ${target}`);
