/** request-email-change / confirm-email-change (wire: PocketBase §6.1). */
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { verifyPassword } from '../lib/password-hash.ts';
import { SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';
import { checkEmailInput, findAuthRecordByEmail, findAuthRecordByToken, throwIfInvalid } from './find-auth-record.ts';
import { sendAuthMailLater } from './mail-templates.ts';
import { findAuthCollection } from './password-auth.ts';
import { requireCollectionAuth } from './require-auth.ts';
import { peekTokenClaims, signEmailChangeToken } from './tokens.ts';
import { writeAuthRecord } from './write-auth-record.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { toEventRecord } from './hook-event-row.ts';

const SUPERUSERS_DIRECT = 'All superusers can change their emails directly.';

/**
 * Mails a confirmation link to the new address. Galley answers 204 also when the address is taken (no mail
 * then): PocketBase's 400 for a taken address would tell anyone with an account who else has one.
 */
export async function requestEmailChange(core: Core, info: RequestInfo, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new GalleyError('invalid', SUPERUSERS_DIRECT);
  const row = requireCollectionAuth(info, collection);
  const issues: IssueTree = {};
  const newEmail = checkEmailInput(body['newEmail'], 'newEmail', issues);
  if (!issues['newEmail'] && newEmail === row['email']) issues['newEmail'] = issue('validation_invalid_email', 'Must be different from the current email.');
  const field = collection.fields.find((f) => f.name === 'email');
  if (!issues['newEmail'] && field) {
    const problem = await fieldTypeOf(field).validate(newEmail, field, { isSuperuser: false, isNew: false, existingIds: async () => new Set() });
    if (problem) issues['newEmail'] = problem;
  }
  throwIfInvalid(issues);
  // the hooks file's onRecordRequestEmailChangeRequest (hooks/auth-hook-points.ts): the signed-in record and the new
  // address (a hook may change it), before the taken check and the mail
  const event = { collection, record: toEventRecord(collection, row).view!, newEmail };
  await triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordRequestEmailChangeRequest', event, async (e) => {
    const to = String(e.newEmail);
    if (await isEmailTakenByOther(core, collection, to, row)) return;
    sendAuthMailLater(core, collection, row, 'email-change', to, async () => ({ token: await signEmailChangeToken(core, collection, row, to) }));
  });
}

/** Another record holds `email` (case-insensitively); a record may change the case of its own. */
async function isEmailTakenByOther(core: Core, collection: CollectionModel, email: string, row: Record<string, unknown>): Promise<boolean> {
  const taken = await findAuthRecordByEmail(core, collection, email);
  return taken !== undefined && taken['id'] !== row['id'];
}

/** Sets the new email (and verified: the link proved the mailbox); the tokenKey turns over. */
export async function confirmEmailChange(core: Core, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (collection.name === SUPERUSERS) throw new GalleyError('invalid', SUPERUSERS_DIRECT);
  const token = typeof body['token'] === 'string' ? body['token'] : '';
  const password = typeof body['password'] === 'string' ? body['password'] : '';
  const issues: IssueTree = {};
  const newEmail = peekTokenClaims(token)?.newEmail;
  const found = typeof newEmail === 'string' && newEmail !== '' ? await findAuthRecordByToken(core, token, 'emailChange') : null;
  if (token === '') issues['token'] = issue('validation_required', 'Cannot be blank.');
  // wire: PocketBase reads the unverified payload first: a token without newEmail is not an email-change token
  else if (typeof newEmail !== 'string' || newEmail === '') issues['token'] = issue('validation_invalid_token_payload', 'Invalid token payload - newEmail must be set.');
  else if (!found) issues['token'] = issue('validation_invalid_token', 'Invalid or expired token.');
  else if (found.collection.id !== collection.id) issues['token'] = issue('validation_token_collection_mismatch', 'The provided token is for different auth collection.');
  else if (await isEmailTakenByOther(core, collection, newEmail!, found.row)) issues['token'] = issue('validation_invalid_token', 'The new email address is invalid.');
  if (password === '') issues['password'] = issue('validation_required', 'Cannot be blank.');
  else if (password.length > 100 || !found || !(await verifyPassword(String(found.row['password'] ?? ''), password))) {
    issues['password'] = issue('validation_invalid_password', 'Missing or invalid auth record password.');
  }
  throwIfInvalid(issues);
  const { row } = found!;
  // the hooks file's onRecordConfirmEmailChangeRequest: the token's record and its new address, before they are written
  const event = { collection, record: toEventRecord(collection, row).view!, newEmail: newEmail! };
  await triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordConfirmEmailChangeRequest', event, async (e) => {
    const email = String(e.newEmail);
    if (email !== newEmail && (await isEmailTakenByOther(core, collection, email, row))) throwIfInvalid({ token: issue('validation_invalid_token', 'The new email address is invalid.') });
    await writeAuthRecord(core, collection, String(row['id']), { email, verified: true }, 'Failed to confirm email change.', (current) => {
      if (current['tokenKey'] !== row['tokenKey']) throwIfInvalid({ token: issue('validation_invalid_token', 'Invalid or expired token.') });
    });
  });
}
