// sdk/src/schema-input.generated.ts is the server's TypeBox schema-file definition as TypeScript types;
// regenerate it with `node scripts/run-bun.mjs scripts/write-sdk-schema-input.ts` when this fails.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderSchemaInputTypes } from '../../scripts/sdk-schema-input.ts';

it('schema-input.generated.ts is current with server/src/schema/definition.ts', () => {
  const onDisk = readFileSync(new URL('../src/schema-input.generated.ts', import.meta.url), 'utf8');
  expect(onDisk).toBe(renderSchemaInputTypes());
  // every field type of the server is a member of FieldInput
  expect(onDisk).toMatch(/export type FieldInput = TextFieldInput \| EditorFieldInput \| .*GeoPointFieldInput/);
});
