import { issue, type IssueTree } from '../errors.ts';
import { verifyPassword } from '../lib/password-hash.ts';
import { newTokenKey } from '../lib/ids.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { AppliedBody } from './body.ts';

/**
 * The auth-collection rules of a create/update body (wire: PocketBase's record upsert form):
 * password needs passwordConfirm (and oldPassword for non-managers on update); email and verified
 * change only through their flows unless a manager (superuser or manageRule) asks; tokenKey turns over
 * with password or email.
 */
export async function checkAuthBody(
  collection: CollectionModel,
  applied: AppliedBody,
  input: Record<string, unknown>,
  current: Record<string, unknown> | null,
  /** manager access (superuser or manageRule); a function is asked only when the body needs it */
  manager: boolean | (() => Promise<boolean>),
): Promise<IssueTree> {
  if (collection.type !== 'auth') return {};
  const issues: IssueTree = {};
  const { values, touched } = applied;
  const isNew = current === null;
  let granted: boolean | undefined = typeof manager === 'boolean' ? manager : undefined;
  const isManager = async () => (granted ??= await (manager as () => Promise<boolean>)());
  // wire: PocketBase's record upsert form: on create both are required; on update each is required once the
  // other (or oldPassword) is given; then the confirmation must equal the password
  const form = (key: string) => (input[key] == null ? '' : String(input[key]));
  const [password, confirm, old] = [form('password'), form('passwordConfirm'), form('oldPassword')];
  if ((isNew || confirm !== '' || old !== '') && password === '') issues['password'] = issue('validation_required', 'Cannot be blank.');
  if ((isNew || password !== '' || old !== '') && confirm === '') issues['passwordConfirm'] = issue('validation_required', 'Cannot be blank.');
  else if (confirm !== password) issues['passwordConfirm'] = issue('validation_values_mismatch', "Values don't match.");
  if (!isNew && touched.has('password') && !(await isManager())) {
    const ok = typeof input['oldPassword'] === 'string' && old !== '' && (await verifyPassword(String(current['password'] ?? ''), old));
    if (!ok) issues['oldPassword'] = issue('validation_invalid_old_password', 'Missing or invalid old password.');
  }
  const managerOnly = findManagerOnlyChanges(collection, applied, current);
  if (Object.keys(managerOnly).length > 0 && !(await isManager())) Object.assign(issues, managerOnly);
  if (!isNew && (touched.has('password') || (touched.has('email') && values['email'] !== current['email']))) {
    values['tokenKey'] = newTokenKey();
    touched.add('tokenKey');
  }
  return issues;
}

/** Changes only a manager may make: a new email on update, a verified flag other than the stored one (false on create). */
export function findManagerOnlyChanges(collection: CollectionModel, applied: AppliedBody, current: Record<string, unknown> | null): IssueTree {
  if (collection.type !== 'auth') return {};
  const issues: IssueTree = {};
  const { values, touched } = applied;
  if (current !== null && touched.has('email') && values['email'] !== current['email']) {
    issues['email'] = issue('validation_values_mismatch', "Values don't match.");
  }
  const wasVerified = current === null ? false : current['verified'] === 1 || current['verified'] === true;
  if (touched.has('verified') && Boolean(values['verified']) !== wasVerified) {
    issues['verified'] = issue('validation_values_mismatch', "Values don't match.");
  }
  return issues;
}
