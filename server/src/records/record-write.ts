/**
 * The one record-write path. Every create, update and delete of a record row — records API, batch, auth flows,
 * OAuth2 links, the system collections (_otps, _mfas, _authOrigins, _externalAuths, _superusers), cron cleanup,
 * the CLI's superuser commands, truncate and cascades — runs one of these inside a writer job, so each write:
 * - runs the model hook point around the write, inside the job's savepoint: the hooks' chain ends in the write
 *   (delete: with its cascades, auth refs and files), so code after a hook's `e.next()` sees the row written, and
 *   a throw before or after it undoes that job's writes,
 * - queues its RecordEvent and the after-commit hook point for after the COMMIT (never on rollback), at the
 *   write; a model hook that skipped the write (no `e.next()`, no throw) still gets them, as PocketBase's save,
 *   which then succeeds with nothing written.
 * The request hook point runs in the services before the job is queued (`runRequestHooks`).
 * Validation and rules are the callers' (records/create.ts, update.ts, delete.ts); system writes are server-made.
 */
import type { Kysely } from 'kysely';
import type { Core } from '../core.ts';
import type { WriteTx } from '../db/database.ts';
import { GalleyError, notFound } from '../errors.ts';
import type { RecordEvent } from '../hooks/event-bus.ts';
import type { RecordRequestEvent } from '../hooks/record-hook-points.ts';
import type { CollectionModel } from '../schema/model.ts';
import { deleteAuthRecordRefs, revokeAuthStateOnUpdate } from './auth-refs.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { Schema } from '../schema/model.ts';
import { relationHolds, relationIds } from './relation-values.ts';

/** What the pipeline needs of the core: the CLI's superuser commands write with no server (no Core) around them. */
export type RecordWriteCore = Pick<Core, 'schema' | 'hooks' | 'storage' | 'log'>;
import { removeRecordFilesAfterCommit } from './record-files.ts';
import { cachedQuery, PARAM_SLOT } from './statement-cache.ts';
import { rethrowWriteError } from './store.ts';
import { SUPERUSERS } from '../rules/request-info.ts';

/** wire: PocketBase saves every superuser as verified, whatever the body or caller says (its superusers save hook). */
function keepSuperuserVerified(collection: CollectionModel, row: Record<string, unknown>): void {
  if (collection.name === SUPERUSERS) row['verified'] = 1;
}

/** The request hook point: before a write is queued. */
export function runRequestHooks(core: RecordWriteCore, event: RecordRequestEvent): Promise<void> {
  return core.hooks.recordHooks.request(event);
}

/** After the COMMIT that holds the job: the event for realtime, then the after-commit hook point. */
function emitAfterCommit(core: RecordWriteCore, tx: WriteTx, event: RecordEvent): void {
  tx.afterCommit(() => {
    core.hooks.emitRecord(event);
    // a promise (after-commit hooks bound) holds the write's answer back until they are done, as PocketBase does
    return core.hooks.recordHooks.afterCommit(event);
  });
}

/** Insert `row` (every column, storage form) and answer it as stored. `failure`: the message of a 400 on a constraint. */
export async function insertRecordRow(core: RecordWriteCore, tx: WriteTx, collection: CollectionModel, row: Record<string, unknown>, failure: string): Promise<Record<string, unknown>> {
  keepSuperuserVerified(collection, row);
  let emitted = false;
  await core.hooks.recordHooks.model({ action: 'create', collection, row }, async () => {
    const table = collection.name;
    const columns = Object.keys(row);
    const insert = (db: Kysely<any>) =>
      cachedQuery(core.schema, `insert|${collection.id}|${columns.join(',')}`, () => {
        const slots = Object.fromEntries(columns.map((c) => [c, PARAM_SLOT]));
        return db.insertInto(table).values(slots).compile();
      }, columns.map((c) => row[c]));
    try {
      await tx.db.executeQuery(insert(tx.db));
    } catch (err) {
      rethrowWriteError(err, failure);
    }
    // Every column was written from `row`, so it is the stored record (no re-read needed).
    emitted = true;
    emitAfterCommit(core, tx, { action: 'create', collection, row });
  });
  if (!emitted) emitAfterCommit(core, tx, { action: 'create', collection, row });
  return row;
}

/**
 * Update the columns in `set` (storage form; may be empty) and answer the stored row. An auth record's
 * verified/password/tokenKey change first ends what it must (records/auth-refs.ts). 404 if the row is gone.
 * A model hook that skipped the write gets the stored row with `set` over it (what PocketBase's save answers).
 */
export async function updateRecordRow(
  core: RecordWriteCore,
  tx: WriteTx,
  collection: CollectionModel,
  id: string,
  set: Record<string, unknown>,
  failure: string,
): Promise<Record<string, unknown>> {
  if (Object.keys(set).length > 0) keepSuperuserVerified(collection, set);
  const table = collection.name;
  const readStored = async () => {
    const row = (await tx.db.selectFrom(table).selectAll(table).where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
    if (!row) throw new GalleyError('not_found', "The requested resource wasn't found.");
    return row;
  };
  let updated: Record<string, unknown> | undefined;
  await core.hooks.recordHooks.model({ action: 'update', collection, row: set }, async () => {
    await revokeAuthStateOnUpdate(core, tx, collection, id, set);
    if (Object.keys(set).length > 0) {
      try {
        const result = await tx.db.updateTable(table).set(set).where('id', '=', id).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw notFound();
      } catch (err) {
        rethrowWriteError(err, failure);
      }
    }
    updated = await readStored();
    emitAfterCommit(core, tx, { action: 'update', collection, row: updated });
    return updated;
  });
  if (updated) return updated;
  const unwritten = { ...(await readStored()), ...set };
  emitAfterCommit(core, tx, { action: 'update', collection, row: unwritten });
  return unwritten;
}

/**
 * Replace an auth record's password hash by another hash of the SAME password (an imported bcrypt hash becomes
 * argon2id once a sign-in proved the password), only while the stored hash is still `old` (a password changed
 * meanwhile stays). Not a new password: nothing a password change ends is ended, tokenKey and `updated` stay.
 * Through the hook points like any update; answers whether the row changed.
 */
export async function replacePasswordHash(core: RecordWriteCore, tx: WriteTx, collection: CollectionModel, id: string, old: string, next: string): Promise<boolean> {
  const table = collection.name;
  const current = (await tx.db.selectFrom(table).selectAll(table).where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
  if (!current || current['password'] !== old) return false;
  const set = { password: next };
  await core.hooks.recordHooks.model({ action: 'update', collection, row: set }, async () => {
    await tx.db.updateTable(table).set(set).where('id', '=', id).where('password', '=', old).execute();
  });
  emitAfterCommit(core, tx, { action: 'update', collection, row: { ...current, ...set } });
  return true;
}

/**
 * Delete a stored row and what depends on it (no rules: cascades are the schema's decision): referencing
 * records are deleted or updated through this same path, then the row, its files and its auth refs.
 * `seen` keeps one delete's cascade from visiting a record twice.
 */
export async function deleteRecordRow(core: RecordWriteCore, tx: WriteTx, collection: CollectionModel, row: Record<string, unknown>, seen = new Set<string>()): Promise<void> {
  const key = `${collection.id}/${String(row['id'])}`;
  if (seen.has(key)) return;
  seen.add(key);
  let emitted = false;
  await core.hooks.recordHooks.model({ action: 'delete', collection, row }, async () => {
    const id = String(row['id']);
    for (const ref of referencesTo(core.schema, collection)) {
      const table = ref.collection.name;
      let q = tx.db.selectFrom(table).selectAll(table).where(relationHolds(table, ref.field, [id], tx.dialect));
      // the cascade visits (and announces) them in the table's order on either database
      const tie = tx.dialect.tieBreak(table);
      if (tie) q = q.orderBy(tie as never);
      const referencing = (await q.execute()) as Record<string, unknown>[];
      for (const other of referencing) {
        if (ref.cascade) {
          await deleteRecordRow(core, tx, ref.collection, other, seen);
          continue;
        }
        if (seen.has(`${ref.collection.id}/${String(other['id'])}`)) continue;
        const type = fieldTypeOf(ref.field);
        const remaining = relationIds(other[ref.field.name]).filter((x) => x !== id);
        if (ref.field.required && remaining.length === 0) throw new GalleyError('invalid', REQUIRED_REFERENCE);
        const value = type.toStorage(type.prepare(remaining, ref.field), ref.field);
        await updateRecordRow(core, tx, ref.collection, String(other['id']), { [ref.field.name]: value }, REQUIRED_REFERENCE);
      }
    }
    await tx.db.deleteFrom(collection.name).where('id', '=', id).execute();
    removeRecordFilesAfterCommit(core, tx, collection, row);
    emitted = true;
    emitAfterCommit(core, tx, { action: 'delete', collection, row });
    await deleteAuthRecordRefs(core, tx, collection, id);
  });
  if (!emitted) emitAfterCommit(core, tx, { action: 'delete', collection, row });
}

const REQUIRED_REFERENCE =
  'Failed to delete record. Make sure that the record is not part of a required relation reference.';

/** Every relation field in the schema that points at `target`. */
function referencesTo(schema: Schema, target: CollectionModel) {
  const out: Array<{ collection: CollectionModel; field: CollectionModel['fields'][number]; cascade: boolean }> = [];
  for (const collection of schema.collections) {
    if (collection.type === 'view') continue;
    for (const field of collection.fields) {
      const rel = fieldTypeOf(field).relation?.(field);
      if (rel && rel.collectionId === target.id) out.push({ collection, field, cascade: rel.cascadeDelete });
    }
  }
  return out;
}

/** Delete every row of `collection` that `where` selects, each through deleteRecordRow; answers how many went. */
export async function deleteRecordRowsWhere(
  core: RecordWriteCore,
  tx: WriteTx,
  collection: CollectionModel,
  where: (q: any) => any,
): Promise<number> {
  const tie = tx.dialect.tieBreak(collection.name);
  const selected = where(tx.db.selectFrom(collection.name).selectAll(collection.name));
  const rows = (await (tie ? selected.orderBy(tie) : selected).execute()) as Record<string, unknown>[];
  const seen = new Set<string>();
  for (const row of rows) await deleteRecordRow(core, tx, collection, row, seen);
  return rows.length;
}

/** A system collection's model (_otps, _mfas, _authOrigins, _externalAuths, _superusers): always in the schema. */
export function findSystemCollection(core: Pick<Core, 'schema'>, name: string): CollectionModel {
  const model = core.schema.findCollection(name);
  if (!model) throw new Error(`system collection ${name} is missing from the schema`);
  return model;
}

/** Delete one row by id through deleteRecordRow; false when there was none. */
export async function deleteRecordRowById(core: RecordWriteCore, tx: WriteTx, collection: CollectionModel, id: string): Promise<boolean> {
  const row = (await tx.db.selectFrom(collection.name).selectAll(collection.name).where('id', '=', id).executeTakeFirst()) as Record<string, unknown> | undefined;
  if (!row) return false;
  await deleteRecordRow(core, tx, collection, row);
  return true;
}
