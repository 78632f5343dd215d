import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { AuthResponse } from './auth-response.ts';
import { buildIdentityMatch } from './find-auth-record.ts';
import { completeAuthWithMfa, type MfaChallenge } from './mfa.ts';
import { admitPasswordSignIn, notePasswordSignIn } from './sign-in-throttle.ts';
import { hashPassword, needsRehash, readBcryptCost, verifyAgainstBcryptDummy, verifyAgainstDummy, verifyPassword } from '../lib/password-hash.ts';
import { replacePasswordHash } from '../records/record-write.ts';
import { triggerAuthActionHooks } from '../hooks/auth-hook-points.ts';
import { readEventRow, toEventRecord } from './hook-event-row.ts';

const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+$/;

/**
 * An imported (PocketBase bcrypt) hash becomes argon2id on the first successful sign-in. Only `password`
 * changes (not `tokenKey`, so sessions stay valid), and only if nobody changed it meanwhile; a failure here
 * leaves the old hash, which still verifies, and never fails the sign-in.
 */
async function rehashImported(core: Core, collection: CollectionModel, row: Record<string, unknown>, plain: string): Promise<void> {
  const old = String(row['password'] ?? '');
  if (!needsRehash(old)) return;
  try {
    const next = await hashPassword(plain);
    await core.db.writer.run((tx) => replacePasswordHash(core, tx, collection, String(row['id']), old, next));
  } catch (err) {
    core.log.warn('password rehash failed', { collection: collection.name, error: String(err) });
  }
}

/** The cost of an imported bcrypt hash still in `collection`, if one remains (none once every user signed in). */
async function findPendingBcryptCost(core: Core, collection: CollectionModel): Promise<number | undefined> {
  const table = collection.name;
  const row = await core.db.read.selectFrom(table).select('password').where('password', 'like', '$2_$%').limit(1).executeTakeFirst();
  return row ? readBcryptCost(String(row['password'])) : undefined;
}

/**
 * While imported bcrypt hashes remain in a collection, every FAILED attempt on it pays one argon2id AND one bcrypt
 * check, so its time tells an unknown email from neither an imported (bcrypt) user nor a migrated (argon2id) one:
 * the check that ran is paired with a dummy of the other kind. A success is told apart by its answer anyway, so it
 * pays nothing more (and skips the look for pending hashes: a scan, ~37 ms over 100k users).
 */
async function equaliseImportedHashWork(core: Core, collection: CollectionModel, stored: string, password: string, ok: boolean): Promise<void> {
  if (ok) return;
  if (readBcryptCost(stored) !== undefined) {
    await verifyAgainstDummy(password);
    return;
  }
  const pending = await findPendingBcryptCost(core, collection);
  if (pending !== undefined) await verifyAgainstBcryptDummy(password, pending);
}

export function findAuthCollection(core: Core, idOrName: string): CollectionModel {
  const collection = core.schema.findCollection(idOrName);
  // wire: PocketBase's message for a missing or non-auth collection on auth routes.
  if (!collection || collection.type !== 'auth') throw new GalleyError('not_found', 'Missing or invalid auth collection context.');
  return collection;
}

async function findByIdentity(core: Core, collection: CollectionModel, identity: string, only: string | undefined) {
  const fields = only ? [only] : (collection.auth?.passwordAuth.identityFields ?? ['email']);
  const ordered = [...fields].sort((a, b) => (a === 'email' ? -1 : b === 'email' ? 1 : 0));
  const table = collection.name;
  for (const name of ordered) {
    if (name === 'email' && !EMAIL_SHAPE.test(identity)) continue;
    const row = await core.db.read.selectFrom(table).selectAll(table).where(buildIdentityMatch(collection, name, identity, core.db.dialect)).limit(1).executeTakeFirst();
    if (row) return row as Record<string, unknown>;
  }
  return undefined;
}

/**
 * wire: an unknown identity and a wrong password get the same 400 "Failed to authenticate.", and an
 * unknown identity still pays for one argon2id check so timing tells nothing either.
 */
export async function authWithPassword(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  body: Record<string, unknown>,
  ip = '',
): Promise<AuthResponse | MfaChallenge> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (collection.auth && !collection.auth.passwordAuth.enabled) {
    throw new GalleyError('forbidden', 'The collection is not configured to allow password authentication.');
  }
  const issues: IssueTree = {};
  const identity = body['identity'];
  const password = body['password'];
  // wire: both at most 255 characters, checked before any lookup or hashing (a huge password costs nothing).
  for (const [key, value] of [['identity', identity], ['password', password]] as const) {
    if (typeof value !== 'string' || value === '') issues[key] = issue('validation_required', 'Cannot be blank.');
    else if (value.length > 255) issues[key] = issue('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  }
  const identityField = typeof body['identityField'] === 'string' && body['identityField'] !== '' ? body['identityField'] : undefined;
  if (identityField && !(collection.auth?.passwordAuth.identityFields ?? ['email']).includes(identityField)) {
    issues['identityField'] = issue('validation_in_invalid', 'Must be a valid value.');
  }
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', 'Something went wrong while processing your request.', { issues });

  admitPasswordSignIn(core, collection.id, identity as string, ip);
  const found = toEventRecord(collection, await findByIdentity(core, collection, identity as string, identityField));
  // the hooks file's onRecordAuthWithPasswordRequest (hooks/auth-hook-points.ts): after the lookup, before the check
  const event = { collection, record: found.view, identity: identity as string, identityField: identityField ?? '', password: password as string };
  return triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordAuthWithPasswordRequest', event, async (e) => {
    let row = await readEventRow(core, collection, e.record, found);
    // a hook that changed the identity (and left the record as found) has it looked up again
    if (e.record === found.view && (e.identity !== event.identity || e.identityField !== event.identityField)) {
      const fields = collection.auth?.passwordAuth.identityFields ?? ['email'];
      const only = e.identityField === '' ? undefined : String(e.identityField);
      row = only !== undefined && !fields.includes(only) ? undefined : await findByIdentity(core, collection, String(e.identity), only);
    }
    const plain = String(e.password);
    const stored = row ? String(row['password'] ?? '') : '';
    const ok = row ? await verifyPassword(stored, plain) : await verifyAgainstDummy(plain);
    await equaliseImportedHashWork(core, collection, stored, plain, ok);
    if (!row || !ok) throw new GalleyError('invalid', 'Failed to authenticate.');
    await rehashImported(core, collection, row, plain);
    notePasswordSignIn(core, collection.id, identity as string, ip);
    return completeAuthWithMfa(core, { info, ip, body }, collection, row, 'password');
  });
}
