/**
 * An auth record's id is unique across every auth collection, `_superusers` included, so "the caller's id"
 * never names a record of another auth collection (a token of one collection read as a record of another).
 * wire: PocketBase's onRecordSaveExecute cross-check, "validation_invalid_auth_id" under `id`.
 */
import type { Kysely } from 'kysely';
import { GalleyError, issue } from '../errors.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';

/** The other auth collection that already holds a record with `id`, if any. */
export async function findAuthIdHolder(db: Kysely<any>, schema: Schema, collection: CollectionModel, id: string): Promise<CollectionModel | undefined> {
  if (collection.type !== 'auth') return undefined;
  for (const other of schema.collections) {
    if (other.type !== 'auth' || other.id === collection.id) continue;
    // the id column's default collation is what a rule's `= @request.auth.id` compares with
    if (await db.selectFrom(other.name).select('id').where('id', '=', id).executeTakeFirst()) return other;
  }
  return undefined;
}

/** Refuse to write an auth record whose id another auth collection holds; run inside the write, before it. */
export async function assertAuthIdFree(db: Kysely<any>, schema: Schema, collection: CollectionModel, id: string, message: string): Promise<void> {
  if (!(await findAuthIdHolder(db, schema, collection, id))) return;
  throw new GalleyError('invalid', message, { issues: { id: issue('validation_invalid_auth_id', 'Invalid or duplicated auth record id.') } });
}
