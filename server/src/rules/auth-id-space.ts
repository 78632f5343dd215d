/**
 * Which auth collection's record ids a filter operand holds, so `owner = @request.auth.id` holds only when the
 * caller signed in to the collection `owner` points at, and `id = @request.auth.id` on an auth collection only
 * for a caller of that same collection. Ids are unique across auth collections on every write, but data
 * written before that (or by hand) may repeat one: a token of `staff` must never pass as a `users` record.
 * Only auth collections get a space: a base collection may share ids with an auth one on purpose (a profile
 * record created with its user's id), and `profile.id = @request.auth.id` keeps working there.
 */
import type { SqlOperand } from '../query/resolver.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel, FieldModel, Schema } from '../schema/model.ts';

const VIA = /^(\w+)_via_(\w+)$/;

function authSpace(collection: CollectionModel | undefined): string | undefined {
  return collection?.type === 'auth' ? collection.id : undefined;
}

/** The id space of a relation field's values: its target, when that is an auth collection. */
export function findRelationIdSpace(schema: Schema, field: FieldModel): string | undefined {
  const rel = fieldTypeOf(field).relation?.(field);
  return rel ? authSpace(schema.findCollection(rel.collectionId)) : undefined;
}

/**
 * The id space of a field path from `collection` (`id`, `owner`, `owners:each`, `post.author`, `posts_via_author.id`, …);
 * undefined for anything that is not plainly a record id (modifiers, JSON paths, other fields).
 */
export function findPathIdSpace(schema: Schema, collection: CollectionModel, path: readonly string[]): string | undefined {
  let current: CollectionModel | undefined = collection;
  for (let i = 0; i < path.length && current; i++) {
    const [name, modifier = ''] = path[i]!.split(':');
    const last = i === path.length - 1;
    // only `rel:each` (each item: an id of the target) keeps a record id; other modifiers make numbers or text
    if (modifier !== '' && !(last && modifier === 'each')) return undefined;
    if (name === 'id') return last && modifier === '' ? authSpace(current) : undefined;
    const field = schema.findField(current, name!);
    if (field) {
      const rel = fieldTypeOf(field).relation?.(field);
      if (!rel) return undefined;
      if (last) return findRelationIdSpace(schema, field);
      current = schema.findCollection(rel.collectionId);
      continue;
    }
    const via = VIA.exec(name!);
    if (!via || last) return undefined;
    current = schema.findCollection(via[1]!);
  }
  return undefined;
}

/** The operand, marked with its id space when it has one. */
export function withIdSpace(operand: SqlOperand | null, idSpace: string | undefined): SqlOperand | null {
  return operand && idSpace ? { ...operand, idSpace } : operand;
}
