/**
 * POST /request-otp (wire: PocketBase's recordRequestOTP): always 200 `{otpId}`, a decoy id for an email
 * nobody has. The code is hashed, stored and mailed after the answer has left, so the answer takes the same
 * time whether or not a mail goes out.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { newRecordId, randomString } from '../lib/ids.ts';
import { hashPassword } from '../lib/password-hash.ts';
import { deleteRecordRowById, deleteRecordRowsWhere, findSystemCollection, insertRecordRow } from '../records/record-write.ts';
import type { CollectionModel } from '../schema/model.ts';
import { OTPS_NAME } from '../schema/system-auth-records.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { readEventRow, toEventRecord } from './hook-event-row.ts';
import { checkEmailInput, findAuthRecordByEmail, throwIfInvalid } from './find-auth-record.ts';
import { sendAuthMail } from './mail-templates.ts';
import { issueDecoyOtpId } from './otp-decoys.ts';
import { findAuthCollection } from './password-auth.ts';

/** wire: past this many live codes per record, PocketBase answers with the newest one and mails nothing. */
const MAX_LIVE_OTPS = 10;
/** wire: the longest `otp.duration` PocketBase accepts; older rows are stale whatever the collection says. */
const MAX_OTP_SECONDS = 86400;

export function requireOtpEnabled(collection: CollectionModel): void {
  if (!collection.auth?.otp.enabled) throw new GalleyError('forbidden', 'The collection is not configured to allow OTP authentication.');
}

/**
 * The stored hash covers the code and the record's tokenKey: a password or email change (which turns the
 * tokenKey over) ends every code issued before it, as PocketBase deletes them on a tokenKey change.
 */
export function bindOtpCode(code: string, tokenKey: unknown): string {
  return `${code}:${String(tokenKey ?? '')}`;
}

/** The record's live codes, newest first (ids and creation times only). */
async function listLiveOtps(core: Core, collection: CollectionModel, recordId: string): Promise<Array<{ id: string }>> {
  const since = formatDateTime(new Date(core.clock().getTime() - (collection.auth?.otp.duration ?? 180) * 1000));
  return (await core.db.read
    .selectFrom(OTPS_NAME)
    .select('id')
    .where('collectionRef', '=', collection.id)
    .where('recordRef', '=', recordId)
    .where('created', '>=', since)
    .orderBy('created', 'desc')
    .execute()) as Array<{ id: string }>;
}

function issueOtpLater(core: Core, collection: CollectionModel, row: Record<string, unknown>, otpId: string, code: string): void {
  const email = String(row['email'] ?? '');
  setTimeout(() => {
    void (async () => {
      const hash = await hashPassword(bindOtpCode(code, row['tokenKey']));
      const now = core.clock();
      const stamp = formatDateTime(now);
      const stale = formatDateTime(new Date(now.getTime() - MAX_OTP_SECONDS * 1000));
      const otps = findSystemCollection(core, OTPS_NAME);
      await core.db.writer.run(async (tx) => {
        await deleteRecordRowsWhere(core, tx, otps, (q) => q.where('created', '<', stale));
        const otp = { id: otpId, collectionRef: collection.id, recordRef: String(row['id']), password: hash, sentTo: email, created: stamp, updated: stamp };
        await insertRecordRow(core, tx, otps, otp, 'Failed to create the OTP.');
      });
      try {
        await sendAuthMail(core, collection, row, 'otp', email, { otp: code, otpId });
      } catch (err) {
        // wire: a code whose mail failed is deleted, as PocketBase does
        await core.db.writer.run((tx) => deleteRecordRowById(core, tx, otps, otpId));
        throw err;
      }
    })().catch((err: unknown) => {
      core.log.error('OTP not sent', { collection: collection.name, error: err instanceof Error ? err.message : String(err) });
    });
  }, 0);
}

export async function requestOtp(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<{ otpId: string }> {
  const collection = findAuthCollection(core, collectionIdOrName);
  requireOtpEnabled(collection);
  const issues = {};
  const email = checkEmailInput(body['email'], 'email', issues);
  throwIfInvalid(issues);
  const found = toEventRecord(collection, await findAuthRecordByEmail(core, collection, email));
  const event = { collection, record: found.view, password: randomString(collection.auth?.otp.length ?? 8, '0123456789') };
  // the hooks file's onRecordRequestOTPRequest (hooks/auth-hook-points.ts): e.record is null for an unknown email
  return triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordRequestOTPRequest', event, async (e) => {
    const row = await readEventRow(core, collection, e.record, found);
    // The same lookup runs for an unknown email (under an id nobody has), so both answers cost the same.
    const live = await listLiveOtps(core, collection, row ? String(row['id']) : newRecordId());
    // an unknown email answers as an account would (no enumeration): see otp-decoys.ts
    if (!row) return { otpId: issueDecoyOtpId(core, collection, email, collection.auth?.otp.duration ?? 180, MAX_LIVE_OTPS) };
    if (live.length >= MAX_LIVE_OTPS) return { otpId: live[0]!.id };
    const otpId = newRecordId();
    issueOtpLater(core, collection, row, otpId, String(e.password));
    return { otpId };
  });
}
