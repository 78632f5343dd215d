/** The stored row an auth hook left in `e.record` (hooks/auth-hook-points.ts), for the action to go on with. */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { createHookRecord, type HookRecord } from '../hooks/hook-record.ts';
import type { CollectionModel } from '../schema/model.ts';

type Row = Record<string, unknown>;

/** The view a flow hands its hooks over the row it looked up (null: none found); `set` changes that row. */
export interface EventRecord {
  view: HookRecord | null;
  row: Row | undefined;
}

export function toEventRecord(collection: CollectionModel, row: Row | undefined): EventRecord {
  return { view: row ? createHookRecord(collection, row, 'storage') : null, row };
}

/**
 * The row the action uses: the flow's own (with what a hook `set` on it), none when a hook set `e.record = null`,
 * or a record a hook put there itself (`app.findRecordById(…)`), read again from storage: it must be a record of
 * the flow's collection.
 */
export async function readEventRow(core: Core, collection: CollectionModel, record: HookRecord | null | undefined, given: EventRecord): Promise<Row | undefined> {
  if (record === given.view) return given.row;
  if (!record) return undefined;
  if (typeof record.collection !== 'function' || record.collection().id !== collection.id || typeof record.id !== 'string') {
    throw new GalleyError('invalid', `e.record must be a record of ${collection.name}.`);
  }
  return (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', record.id).executeTakeFirst()) as Row | undefined;
}
