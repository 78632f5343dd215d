// Compiled by tsc in types-module.test.ts: the generated modules keep their literal types (`as const`), so a
// reader can name a collection's fields and a select's values. A widened module fails these lines.
import blog from './snapshots/blog.ts';
import todo from './snapshots/todo.ts';

type Collection<S, N> = S extends { collections: readonly (infer C)[] } ? Extract<C, { name: N }> : never;
type FieldNames<C> = C extends { fields: readonly (infer F)[] } ? (F extends { name: infer N } ? N : never) : never;
type SelectValues<C, F> = C extends { fields: readonly (infer X)[] } ? (X extends { name: F; values: readonly (infer V)[] } ? V : never) : never;

const postField: FieldNames<Collection<typeof blog, 'posts'>> = 'status';
// @ts-expect-error: posts has no field "titel"
const misspelled: FieldNames<Collection<typeof blog, 'posts'>> = 'titel';
const status: SelectValues<Collection<typeof blog, 'posts'>, 'status'> = 'published';
// @ts-expect-error: "archived" is not a status
const wrongStatus: SelectValues<Collection<typeof blog, 'posts'>, 'status'> = 'archived';
const system: FieldNames<Collection<typeof todo, 'users'>> = 'emailVisibility';
const superusers: Collection<typeof blog, '_superusers'>['type'] = 'auth';

export const used = [postField, misspelled, status, wrongStatus, system, superusers];
