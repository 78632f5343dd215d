/** GET/PATCH /api/settings: superusers read and change the app settings (secrets never sent back). */
import { sendAuthMail, type AuthMailKind } from '../auth/mail-templates.ts';
import { signEmailChangeToken, signPasswordResetToken, signVerificationToken } from '../auth/tokens.ts';
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { newTokenKey } from '../lib/ids.ts';
import { SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';
import { requireSuperuser } from './collections.ts';
import { mergeSettings, toSettingsJson } from './settings-model.ts';
import { validateSettings } from './settings-validate.ts';

const SAVE_FAILED = 'An error occurred while saving the new settings.';

export function readSettingsJson(core: Core, info: RequestInfo): Record<string, unknown> {
  requireSuperuser(info);
  return toSettingsJson(core.settings.current());
}

/** wire: the body is merged over the current settings; any problem is PocketBase's 400 with the field tree. */
export async function patchSettings(core: Core, info: RequestInfo, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  requireSuperuser(info);
  const { settings, issues } = mergeSettings(core.settings.current(), body);
  // Values of the wrong type are reported first; the rest is validated once the shape is right.
  const problems = Object.keys(issues).length > 0 ? issues : validateSettings(settings);
  if (Object.keys(problems).length > 0) throw new GalleyError('invalid', SAVE_FAILED, { issues: problems });
  await core.settings.save(settings);
  return toSettingsJson(core.settings.current());
}

const TEST_TEMPLATES: readonly AuthMailKind[] = ['verification', 'password-reset', 'email-change', 'otp', 'login-alert'];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A stand-in record of `collection` for a test mail: visible text fields show their own names. */
function buildTestRecord(collection: CollectionModel, email: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of collection.fields) {
    if (!field.hidden && fieldTypeOf(field).zero(field) === '') row[field.name] = `__test_${field.name}__`;
  }
  return { ...row, id: '__test_id__', email, tokenKey: newTokenKey() };
}

/** POST /api/settings/test/email: one mail of the given template, sent now (errors answered, not logged). */
export async function sendTestEmail(core: Core, info: RequestInfo, body: Record<string, unknown>): Promise<void> {
  requireSuperuser(info);
  const issues: IssueTree = {};
  const email = typeof body['email'] === 'string' ? body['email'].trim() : '';
  const template = body['template'];
  const collectionName = typeof body['collection'] === 'string' && body['collection'] !== '' ? body['collection'] : SUPERUSERS;
  if (email === '') issues['email'] = issue('validation_required', 'Cannot be blank.');
  else if (email.length > 255 || !EMAIL.test(email)) issues['email'] = issue('validation_is_email', 'Must be a valid email address.');
  if (typeof template !== 'string' || template === '') issues['template'] = issue('validation_required', 'Cannot be blank.');
  else if (!TEST_TEMPLATES.includes(template as AuthMailKind)) issues['template'] = issue('validation_in_invalid', 'Must be a valid value.');
  const collection = core.schema.findCollection(collectionName);
  if (!collection || collection.type !== 'auth') {
    issues['collection'] = issue('validation_invalid_value', 'Must be a valid auth collection id or name.');
  }
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', 'Failed to send the test email.', { issues });

  const auth = collection!;
  const row = buildTestRecord(auth, email);
  const kind = template as AuthMailKind;
  const values = {
    token:
      kind === 'verification' ? await signVerificationToken(core, auth, row)
      : kind === 'password-reset' ? await signPasswordResetToken(core, auth, row)
      : kind === 'email-change' ? await signEmailChangeToken(core, auth, row, email)
      : undefined,
    otp: '123456',
    otpId: '__test_otp_id__',
    alertInfo: `${formatDateTime(core.clock())} - TEST_IP TEST_USER_AGENT`,
  };
  try {
    await sendAuthMail(core, auth, row, kind, email, values);
  } catch (err) {
    // wire: PocketBase answers a mailer failure with a 400 that quotes the error (superusers only see it).
    throw new GalleyError('invalid', `Failed to send the test email. Raw error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
