/** `export default defineSchema({ collections: [...] })` in galley.schema.ts: the schema as written, typed literally. */
import type { SchemaInput } from './schema-input.generated.ts';

/** Identity at run time; the `const` type parameter keeps every name and option literal (no `as const`). */
export function defineSchema<const S extends SchemaInput>(schema: S): S {
  return schema;
}
