/** Rows of `_externalAuths`: which (provider, provider user id) signs in as which record of an auth collection. */
import type { Core } from '../../core.ts';
import type { WriteTx } from '../../db/database.ts';
import { formatDateTime } from '../../lib/datetime.ts';
import { newRecordId } from '../../lib/ids.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { EXTERNAL_AUTHS_NAME } from '../../schema/system-external-auths.ts';

const TABLE = EXTERNAL_AUTHS_NAME;

export interface ExternalAuthLink {
  id: string;
  recordRef: string;
}

function externalAuthsCollection(core: Core): CollectionModel | undefined {
  return core.schema.findCollection(EXTERNAL_AUTHS_NAME);
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

/** Every link of a record, removed inside the caller's write (events after its commit). */
export async function deleteExternalAuthsOfRecord(core: Core, tx: WriteTx, collection: CollectionModel, recordId: string): Promise<number> {
  const rows = (await tx.db
    .selectFrom(TABLE)
    .selectAll()
    .where('collectionRef', '=', collection.id)
    .where('recordRef', '=', recordId)
    .execute()) as Record<string, unknown>[];
  if (rows.length === 0) return 0;
  await tx.db.deleteFrom(TABLE).where('collectionRef', '=', collection.id).where('recordRef', '=', recordId).execute();
  const links = externalAuthsCollection(core);
  if (links) tx.afterCommit(() => rows.forEach((row) => core.hooks.emitRecord({ action: 'delete', collection: links, row })));
  return rows.length;
}

/** A link whose record is gone (deleted since): removed so the identity can sign up afresh. */
export async function deleteExternalAuth(core: Core, id: string): Promise<void> {
  await core.db.writer.run(async (tx) => {
    await tx.db.deleteFrom(TABLE).where('id', '=', id).execute();
  });
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
  await tx.db.insertInto(TABLE).values(row).execute();
  const links = externalAuthsCollection(core);
  if (links) tx.afterCommit(() => core.hooks.emitRecord({ action: 'create', collection: links, row }));
}
