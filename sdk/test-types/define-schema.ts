// defineSchema: its parameter is the server's schema-file definition, so mistakes in a galley.schema.ts are errors
// where they are written; the result keeps every literal without `as const`.
import { defineSchema } from '../src/index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(_: T) => {};

const schema = defineSchema({ collections: [{ name: 'notes', fields: [{ name: 'state', type: 'select', values: ['a', 'b'], maxSelect: 1 }] }] });
assert<Equal<(typeof schema)['collections'][0]['fields'][0]['values'], readonly ['a', 'b']>>(true);

// the PocketBase export form (an array of collections) is accepted too
export const exported = defineSchema([{ name: 'notes', type: 'base', fields: [] }]);

export const wrongType = defineSchema({
  // @ts-expect-error no field type "txt"
  collections: [{ name: 'notes', fields: [{ name: 'a', type: 'txt' }] }],
});

export const viewWithoutQuery = defineSchema({
  // @ts-expect-error a view collection needs its viewQuery
  collections: [{ name: 'stats', type: 'view' }],
});

export const wrongRule = defineSchema({
  // @ts-expect-error a rule is a string or null
  collections: [{ name: 'notes', listRule: 1 }],
});
