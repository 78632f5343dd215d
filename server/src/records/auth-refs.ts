/**
 * Rows of PocketBase's system collections that point at one auth record by (collectionRef, recordRef):
 * `_externalAuths`, `_otps`, `_mfas`, `_authOrigins`. They live or die with the record inside the record's
 * own write, so no commit ever leaves them behind (wire: PocketBase's recordRefHooks and its record update
 * hooks on password, tokenKey and verified changes).
 */
import type { Core } from '../core.ts';
import type { WriteTx } from '../db/database.ts';
import { newTokenKey } from '../lib/ids.ts';
import type { CollectionModel } from '../schema/model.ts';
import { AUTH_ORIGINS_NAME, MFAS_NAME, OTPS_NAME } from '../schema/system-auth-records.ts';
import { EXTERNAL_AUTHS_NAME } from '../schema/system-external-auths.ts';
// a cycle by design: a ref row is a record, deleted through the one path that also calls back here
import { deleteRecordRowsWhere, type RecordWriteCore } from './record-write.ts';

export type AuthRefTable = typeof EXTERNAL_AUTHS_NAME | typeof OTPS_NAME | typeof MFAS_NAME | typeof AUTH_ORIGINS_NAME;

export const AUTH_REF_TABLES: readonly AuthRefTable[] = [EXTERNAL_AUTHS_NAME, OTPS_NAME, MFAS_NAME, AUTH_ORIGINS_NAME];

/**
 * Delete a record's rows of `tables` inside the caller's write, each through the record-write pipeline (its
 * delete event after the commit). Answers how many went. A record of a non-auth collection has none.
 */
export async function deleteAuthRecordRefs(
  core: RecordWriteCore,
  tx: WriteTx,
  collection: CollectionModel,
  recordId: string,
  tables: readonly AuthRefTable[] = AUTH_REF_TABLES,
): Promise<number> {
  if (collection.type !== 'auth') return 0;
  let count = 0;
  for (const table of tables) {
    const model = core.schema.findCollection(table);
    if (!model) continue;
    count += await deleteRecordRowsWhere(core, tx, model, (q) => q.where('collectionRef', '=', collection.id).where('recordRef', '=', recordId));
  }
  return count;
}

const isTrue = (v: unknown) => v === 1 || v === true;

/**
 * Inside an auth record's update, before its UPDATE runs (`row`: the column values about to be set; it may gain
 * a new tokenKey). wire: PocketBase's record update hooks, on every path (API update, auth flows):
 * - verified false → true drops the record's OAuth2 links (a link made while the email was unproven may be an
 *   attacker's, GHSA-pq7p-mc74-g65w) and, if there were any, turns the tokenKey over;
 * - a new password hash ends pending MFA sessions and forgets the known login origins;
 * - a new tokenKey ends the OTP codes issued before it.
 */
export async function revokeAuthStateOnUpdate(core: RecordWriteCore, tx: WriteTx, collection: CollectionModel, id: string, row: Record<string, unknown>): Promise<void> {
  if (collection.type !== 'auth' || !['verified', 'password', 'tokenKey'].some((k) => k in row)) return;
  const current = (await tx.db.selectFrom(collection.name).select(['verified', 'password', 'tokenKey']).where('id', '=', id).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!current) return;
  const upgraded = 'verified' in row && isTrue(row['verified']) && !isTrue(current['verified']);
  if (upgraded && (await deleteAuthRecordRefs(core, tx, collection, id, [EXTERNAL_AUTHS_NAME])) > 0) row['tokenKey'] = newTokenKey();
  if ('password' in row && row['password'] !== current['password']) await deleteAuthRecordRefs(core, tx, collection, id, [MFAS_NAME, AUTH_ORIGINS_NAME]);
  if ('tokenKey' in row && row['tokenKey'] !== current['tokenKey']) await deleteAuthRecordRefs(core, tx, collection, id, [OTPS_NAME]);
}
