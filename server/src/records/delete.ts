import type { Core } from '../core.ts';
import { GalleyError, notFound } from '../errors.ts';
import type { WriteTx } from '../db/database.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel, Schema } from '../schema/model.ts';
import { findCollectionOr404, ruleClause, scopeOf } from './access.ts';
import { deleteAuthRecordRefs } from './auth-refs.ts';
import { assertWritable } from './create.ts';
import { removeRecordFilesAfterCommit } from './record-files.ts';
import { relationHolds, relationIds } from './relation-values.ts';

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

/**
 * Delete a row and what depends on it, inside the caller's transaction (no rules: cascades are the
 * schema's decision). wire: cascadeDelete removes referencing records; otherwise the id is removed from
 * them, and a required relation left empty fails the whole delete.
 */
async function deleteWithReferences(core: Core, tx: WriteTx, collection: CollectionModel, row: Record<string, unknown>, seen: Set<string>): Promise<void> {
  const key = `${collection.id}/${String(row['id'])}`;
  if (seen.has(key)) return;
  seen.add(key);
  const id = String(row['id']);
  for (const ref of referencesTo(core.schema, collection)) {
    const table = ref.collection.name;
    const referencing = (await tx.db.selectFrom(table).selectAll(table).where(relationHolds(table, ref.field, [id])).execute()) as Record<string, unknown>[];
    for (const other of referencing) {
      if (ref.cascade) {
        await deleteWithReferences(core, tx, ref.collection, other, seen);
        continue;
      }
      if (seen.has(`${ref.collection.id}/${String(other['id'])}`)) continue;
      const type = fieldTypeOf(ref.field);
      const remaining = relationIds(other[ref.field.name]).filter((x) => x !== id);
      if (ref.field.required && remaining.length === 0) throw new GalleyError('invalid', REQUIRED_REFERENCE);
      const value = type.toStorage(type.prepare(remaining, ref.field), ref.field);
      await tx.db.updateTable(table).set({ [ref.field.name]: value }).where('id', '=', other['id'] as string).execute();
      const updated = { ...other, [ref.field.name]: value };
      tx.afterCommit(() => core.hooks.emitRecord({ action: 'update', collection: ref.collection, row: updated }));
    }
  }
  await tx.db.deleteFrom(collection.name).where('id', '=', id).execute();
  removeRecordFilesAfterCommit(core, tx, collection, row);
  tx.afterCommit(() => core.hooks.emitRecord({ action: 'delete', collection, row }));
  await deleteAuthRecordRefs(core, tx, collection, id);
}

/** wire: missing and rule-hidden records are the same 404; success is 204 with no body. */
export async function deleteRecord(core: Core, info: RequestInfo, collectionIdOrName: string, id: string): Promise<void> {
  const schema = core.schema;
  const collection = findCollectionOr404(schema, collectionIdOrName);
  assertWritable(collection);
  const rule = ruleClause(scopeOf(schema, collection, info), 'deleteRule');
  const table = collection.name;
  await core.db.writer.run(async (tx) => {
    let q = tx.db.selectFrom(table).selectAll(table).where(`${table}.id`, '=', id);
    if (rule) q = q.where(rule);
    const row = (await q.executeTakeFirst()) as Record<string, unknown> | undefined;
    if (!row) throw notFound();
    await deleteWithReferences(core, tx, collection, row, new Set());
  });
}
