/** Rows of `_externalAuths`: which (provider, provider user id) signs in as which record of an auth collection. */
import type { Core } from '../../core.ts';
import type { WriteTx } from '../../db/database.ts';
import { formatDateTime } from '../../lib/datetime.ts';
import { newRecordId } from '../../lib/ids.ts';
import { deleteRecordRowById, deleteRecordRowsWhere, findSystemCollection, insertRecordRow } from '../../records/record-write.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { EXTERNAL_AUTHS_NAME } from '../../schema/system-external-auths.ts';

const TABLE = EXTERNAL_AUTHS_NAME;

export interface ExternalAuthLink {
  id: string;
  recordRef: string;
}

/** The link of this provider identity in this collection, if any. */
export async function findExternalAuth(core: Core, collection: CollectionModel, provider: string, providerId: string): Promise<ExternalAuthLink | undefined> {
  const row = await core.db.read
    .selectFrom(TABLE)
    .select(['id', 'recordRef'])
    .where('collectionRef', '=', collection.id)
    .where('provider', '=', provider)
    .where('providerId', '=', providerId)
    .executeTakeFirst();
  return row ? { id: String(row['id']), recordRef: String(row['recordRef']) } : undefined;
}

/** Every link of a record, removed inside the caller's write (through the record-write pipeline: events after its commit). */
export async function deleteExternalAuthsOfRecord(core: Core, tx: WriteTx, collection: CollectionModel, recordId: string): Promise<number> {
  return deleteRecordRowsWhere(core, tx, findSystemCollection(core, TABLE), (q) => q.where('collectionRef', '=', collection.id).where('recordRef', '=', recordId));
}

/** A link whose record is gone (deleted since): removed so the identity can sign up afresh. */
export async function deleteExternalAuth(core: Core, id: string): Promise<void> {
  await core.db.writer.run((tx) => deleteRecordRowById(core, tx, findSystemCollection(core, TABLE), id));
}

/** Link a provider identity to a record inside the caller's write. A taken identity fails on the unique index. */
export async function insertExternalAuth(
  core: Core,
  tx: WriteTx,
  collection: CollectionModel,
  recordId: string,
  provider: string,
  providerId: string,
): Promise<void> {
  const now = formatDateTime(core.clock());
  const row = { id: newRecordId(), collectionRef: collection.id, recordRef: recordId, provider, providerId, created: now, updated: now };
  await insertRecordRow(core, tx, findSystemCollection(core, TABLE), row, 'Failed to link the OAuth2 account.');
}
