/** request-verification / confirm-verification (wire: PocketBase §6.1). */
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { randomString } from '../lib/ids.ts';
import { SUPERUSERS } from '../rules/request-info.ts';
import { checkEmailInput, findAuthRecordByEmail, findAuthRecordByToken, isVerified, throwIfInvalid } from './find-auth-record.ts';
import { sendAuthMailLater } from './mail-templates.ts';
import { findAuthCollection } from './password-auth.ts';
import { claimResendSlot, releaseResendSlot, releaseSlotUnlessSent, throttleKey } from './resend-throttle.ts';
import { peekTokenClaims, signVerificationToken } from './tokens.ts';
import { writeAuthRecord } from './write-auth-record.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { readEventRow, toEventRecord } from './hook-event-row.ts';

const SUPERUSERS_VERIFIED = 'All superusers are verified by default.';

/**
 * wire: 204 whether or not the email belongs to anyone, is already verified or was mailed a minute ago;
 * the mail goes out in the background, so the answer takes the same time either way.
 */
export async function requestVerification(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new GalleyError('invalid', SUPERUSERS_VERIFIED);
  const issues: IssueTree = {};
  const email = checkEmailInput(body['email'], 'email', issues);
  throwIfInvalid(issues);
  const row = await findAuthRecordByEmail(core, collection, email);
  if (!row) return;
  const slot = throttleKey('verification', collection.id, String(row['id']));
  const verified = isVerified(row);
  if (!verified && !claimResendSlot(core, slot)) return;
  // the hooks file's onRecordRequestVerificationRequest (hooks/auth-hook-points.ts): for a record found and not
  // within its resend window, as PocketBase fires it (an unknown email answers 204 before any hook)
  const found = toEventRecord(collection, row);
  const request = () =>
    triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordRequestVerificationRequest', { collection, record: found.view! }, async (e) => {
      const target = await readEventRow(core, collection, e.record, found);
      if (!target || isVerified(target)) return;
      sendAuthMailLater(core, collection, target, 'verification', String(target['email']), async () => ({ token: await signVerificationToken(core, collection, target) }));
    });
  await (verified ? request() : releaseSlotUnlessSent(core, slot, request));
}

/** Marks the record verified; with password auth off it also gets a random password (pre-hijack guard). */
export async function confirmVerification(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new GalleyError('invalid', SUPERUSERS_VERIFIED);
  const token = typeof body['token'] === 'string' ? body['token'] : '';
  const issues: IssueTree = {};
  if (token === '') issues['token'] = issue('validation_required', 'Cannot be blank.');
  throwIfInvalid(issues);
  const email = peekTokenClaims(token)?.email;
  const found = typeof email === 'string' && email !== '' ? await findAuthRecordByToken(core, token, 'verification') : null;
  if (!found) throwIfInvalid({ token: issue('validation_invalid_token', 'Invalid or expired token.') });
  const { row } = found!;
  if (found!.collection.id !== collection.id) {
    throwIfInvalid({ token: issue('validation_token_collection_mismatch', 'The provided token is for different auth collection.') });
  }
  if (row['email'] !== email) {
    throwIfInvalid({ token: issue('validation_invalid_token', "The record email doesn't match with the requested token claims.") });
  }
  // the hooks file's onRecordConfirmVerificationRequest: the token's record, before it is marked verified
  await triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordConfirmVerificationRequest', { collection, record: toEventRecord(collection, row).view! }, async () => {
    if (!isVerified(row)) {
      const passwordOff = collection.auth?.passwordAuth.enabled === false;
      await writeAuthRecord(
        core,
        collection,
        String(row['id']),
        { verified: true, ...(passwordOff ? { password: randomString(30) } : {}) },
        'An error occurred while saving the verified state.',
      );
    }
    releaseResendSlot(core, throttleKey('verification', collection.id, String(row['id'])));
  });
}
