/**
 * POST /auth-with-otp (wire: PocketBase's recordAuthWithOTP): `{otpId, password}` → the auth response, or
 * the MFA challenge when OTP is a first factor. Every failure is the same 400 "Invalid or expired OTP.";
 * a code works once, for `otp.duration` seconds (180 by default), with capped tries (otp-attempts.ts).
 */
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { parseDateTime } from '../lib/datetime.ts';
import { randomString } from '../lib/ids.ts';
import { verifyAgainstDummy, verifyPassword } from '../lib/password-hash.ts';
import { deleteRecordRowById, findSystemCollection } from '../records/record-write.ts';
import type { CollectionModel } from '../schema/model.ts';
import { OTPS_NAME } from '../schema/system-auth-records.ts';
import type { AuthResponse } from './auth-response.ts';
import { isVerified, throwIfInvalid } from './find-auth-record.ts';
import { completeAuthWithMfa, type AuthAttempt, type MfaChallenge } from './mfa.ts';
import { forgetOtpTries, noteWrongOtp, takeOtpTry } from './otp-attempts.ts';
import { findDecoyOtp, forgetDecoyOtp } from './otp-decoys.ts';
import { bindOtpCode, requireOtpEnabled } from './otp-request.ts';
import { findAuthCollection } from './password-auth.ts';
import { writeAuthRecord } from './write-auth-record.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { createHookRecord } from '../hooks/hook-record.ts';
import { readEventRow, toEventRecord } from './hook-event-row.ts';

const INVALID_OTP = 'Invalid or expired OTP.';

function checkOtpForm(body: Record<string, unknown>): { otpId: string; password: string } {
  const issues: IssueTree = {};
  const fields = [['otpId', 255], ['password', 71]] as const;
  for (const [key, max] of fields) {
    const value = body[key];
    if (typeof value !== 'string' || value === '') issues[key] = issue('validation_required', 'Cannot be blank.');
    else if (value.length > max) issues[key] = issue('validation_length_out_of_range', `The length must be between 1 and ${max}.`, { min: 1, max });
  }
  throwIfInvalid(issues);
  return { otpId: body['otpId'] as string, password: body['password'] as string };
}

async function deleteOtp(core: Core, otpId: string): Promise<number> {
  const deleted = await core.db.writer.run((tx) => deleteRecordRowById(core, tx, findSystemCollection(core, OTPS_NAME), otpId));
  forgetOtpTries(core, otpId);
  return deleted ? 1 : 0;
}

/** A decoy otpId (otp-decoys.ts) is refused exactly as a real code guessed wrong: a try counted, a hash checked. */
async function refuseDecoyOtp(core: Core, attempt: AuthAttempt, collection: CollectionModel, otpId: string, password: string, duration: number): Promise<never> {
  const decoy = findDecoyOtp(core, collection, otpId, duration);
  if (!decoy) throw new GalleyError('invalid', INVALID_OTP);
  if (!takeOtpTry(core, decoy.owner, attempt.ip)) {
    throw new GalleyError('rate_limited', 'Too many attempts, please try again later with a new OTP.');
  }
  await verifyAgainstDummy(password);
  if (noteWrongOtp(core, otpId)) {
    forgetDecoyOtp(core, otpId);
    forgetOtpTries(core, otpId);
  }
  throw new GalleyError('invalid', INVALID_OTP);
}

export async function authWithOtp(core: Core, attempt: AuthAttempt, collectionIdOrName: string): Promise<AuthResponse | MfaChallenge> {
  const collection = findAuthCollection(core, collectionIdOrName);
  requireOtpEnabled(collection);
  const { otpId, password } = checkOtpForm(attempt.body);

  const otp = (await core.db.read.selectFrom(OTPS_NAME).selectAll().where('id', '=', otpId).executeTakeFirst()) as Record<string, unknown> | undefined;
  const created = parseDateTime(otp?.['created']);
  const duration = collection.auth?.otp.duration ?? 180;
  if (!otp) await refuseDecoyOtp(core, attempt, collection, otpId, password, duration);
  if (!otp || otp['collectionRef'] !== collection.id || !created || core.clock().getTime() - created.getTime() > duration * 1000) {
    throw new GalleyError('invalid', INVALID_OTP);
  }
  const row = (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', String(otp['recordRef'])).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) throw new GalleyError('invalid', INVALID_OTP);
  if (!takeOtpTry(core, String(row['id']), attempt.ip)) {
    throw new GalleyError('rate_limited', 'Too many attempts, please try again later with a new OTP.');
  }
  if (!(await verifyPassword(String(otp['password'] ?? ''), bindOtpCode(password, row['tokenKey'])))) {
    if (noteWrongOtp(core, otpId)) await deleteOtp(core, otpId);
    throw new GalleyError('invalid', INVALID_OTP);
  }
  const found = toEventRecord(collection, row);
  const event = { collection, record: found.view!, otp: createHookRecord(findSystemCollection(core, OTPS_NAME), otp, 'storage') };
  // the hooks file's onRecordAuthWithOTPRequest (hooks/auth-hook-points.ts): a valid code, spent only by e.next()
  return triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordAuthWithOTPRequest', event, async (e) => {
    const target = await readEventRow(core, collection, e.record, found);
    // Spent by the delete itself: of two requests racing with one code, only one logs in.
    if ((await deleteOtp(core, otpId)) !== 1 || !target) throw new GalleyError('invalid', INVALID_OTP);
    return signInWithOtp(core, attempt, collection, target, otp);
  });
}

async function signInWithOtp(core: Core, attempt: AuthAttempt, collection: CollectionModel, row: Record<string, unknown>, otp: Record<string, unknown>): Promise<AuthResponse | MfaChallenge> {
  let current = row;
  const sentTo = typeof otp['sentTo'] === 'string' ? otp['sentTo'] : '';
  // wire: a code mailed to the record's own email proves the mailbox; used alone (no MFA), it also
  // replaces the password with a random one, so a pre-registered account cannot be taken over.
  if (!isVerified(row) && sentTo !== '' && row['email'] === sentTo) {
    const changes = collection.auth?.mfa.enabled ? { verified: true } : { verified: true, password: randomString(30) };
    try {
      current = await writeAuthRecord(core, collection, String(row['id']), changes, 'Failed to update the verified state.');
    } catch (err) {
      core.log.error('verified state not saved after OTP', { collection: collection.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return completeAuthWithMfa(core, attempt, collection, current, 'otp');
}
