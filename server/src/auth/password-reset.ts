/** request-password-reset / confirm-password-reset (wire: PocketBase §6.1). */
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { readNumber } from '../schema/fields/field-options.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import { runeLength } from '../schema/fields/text.ts';
import type { CollectionModel } from '../schema/model.ts';
import { checkEmailInput, findAuthRecordByEmail, findAuthRecordByToken, isVerified, throwIfInvalid } from './find-auth-record.ts';
import { sendAuthMailLater } from './mail-templates.ts';
import { findAuthCollection } from './password-auth.ts';
import { claimResendSlot, releaseResendSlot, releaseSlotUnlessSent, throttleKey } from './resend-throttle.ts';
import { signPasswordResetToken } from './tokens.ts';
import { writeAuthRecord } from './write-auth-record.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { readEventRow, toEventRecord } from './hook-event-row.ts';

function requirePasswordAuth(collection: CollectionModel): void {
  if (collection.auth && !collection.auth.passwordAuth.enabled) {
    throw new GalleyError('invalid', 'The collection is not configured to allow password authentication.');
  }
}

/** wire: 204 for unknown emails and within the 2-minute resend window too; the mail leaves in the background. */
export async function requestPasswordReset(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  requirePasswordAuth(collection);
  const issues: IssueTree = {};
  const email = checkEmailInput(body['email'], 'email', issues);
  throwIfInvalid(issues);
  const row = await findAuthRecordByEmail(core, collection, email);
  if (!row) return;
  const slot = throttleKey('passwordReset', collection.id, String(row['id']));
  if (!claimResendSlot(core, slot)) return;
  // the hooks file's onRecordRequestPasswordResetRequest (hooks/auth-hook-points.ts): only for a record that gets a mail,
  // as PocketBase fires it (an unknown email or a resend within the window answer 204 before any hook)
  const found = toEventRecord(collection, row);
  await releaseSlotUnlessSent(core, slot, () =>
    triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordRequestPasswordResetRequest', { collection, record: found.view! }, async (e) => {
      const target = await readEventRow(core, collection, e.record, found);
      if (target) sendAuthMailLater(core, collection, target, 'password-reset', String(target['email']), async () => ({ token: await signPasswordResetToken(core, collection, target) }));
    }),
  );
}

/** A new password (the password field's own rules apply); its tokenKey turns over, so the token is spent. */
export async function confirmPasswordReset(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  const issues: IssueTree = {};
  const token = typeof body['token'] === 'string' ? body['token'] : '';
  const password = typeof body['password'] === 'string' ? body['password'] : '';
  const confirm = typeof body['passwordConfirm'] === 'string' ? body['passwordConfirm'] : '';
  const found = token === '' ? null : await findAuthRecordByToken(core, token, 'passwordReset');
  if (token === '') issues['token'] = issue('validation_required', 'Cannot be blank.');
  else if (!found) issues['token'] = issue('validation_invalid_token', 'Invalid or expired token.');
  else if (found.collection.id !== collection.id) issues['token'] = issue('validation_token_collection_mismatch', 'The provided token is for different auth collection.');
  const field = collection.fields.find((f) => f.name === 'password');
  // wire: PocketBase's form checks the length (the field's min, at least 1, to 255 characters) before the field's own rules
  const min = Math.max(1, field ? readNumber(field, 'min') : 0);
  const length = runeLength(password);
  if (password === '') issues['password'] = issue('validation_required', 'Cannot be blank.');
  else if (length < min || length > 255) issues['password'] = issue('validation_length_out_of_range', `The length must be between ${min} and 255.`, { min, max: 255 });
  else if (field) {
    const problem = await fieldTypeOf(field).validate(password, field, { isSuperuser: false, isNew: false, existingIds: async () => new Set() });
    if (problem) issues['password'] = problem;
  }
  if (confirm === '') issues['passwordConfirm'] = issue('validation_required', 'Cannot be blank.');
  else if (confirm !== password) issues['passwordConfirm'] = issue('validation_values_mismatch', "Values don't match.");
  throwIfInvalid(issues);

  const { row, claims } = found!;
  // the hooks file's onRecordConfirmPasswordResetRequest: the token's record, before the new password is set
  await triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordConfirmPasswordResetRequest', { collection, record: toEventRecord(collection, row).view! }, async () => {
    // wire: the reset proves the mailbox, so an unverified record whose email is unchanged becomes verified.
    const verify = !isVerified(row) && claims.email === row['email'];
    await writeAuthRecord(core, collection, String(row['id']), { password, ...(verify ? { verified: true } : {}) }, 'Failed to set new password.', (current) => {
      if (current['tokenKey'] !== row['tokenKey']) throwIfInvalid({ token: issue('validation_invalid_token', 'Invalid or expired token.') });
    });
    releaseResendSlot(core, throttleKey('passwordReset', collection.id, String(row['id'])));
  });
}
