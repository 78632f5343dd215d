/**
 * Multi-factor auth (wire: PocketBase's checkMFA). When a collection has `mfa.enabled` and the record matches
 * `mfa.rule` (empty: every record), a first factor (password, OTP, OAuth2) answers 401 `{mfaId}` and leaves an
 * `_mfas` row; a different factor sent with that `mfaId` (query or body) spends the row and logs in.
 * Refresh and impersonation never come through here, so they never ask for a second factor.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { formatDateTime, parseDateTime } from '../lib/datetime.ts';
import { newRecordId } from '../lib/ids.ts';
import { scopeOf } from '../records/access.ts';
import { deleteRecordRowById, deleteRecordRowsWhere, findSystemCollection, insertRecordRow } from '../records/record-write.ts';
import { compileRuleWhere } from '../rules/compile-rule.ts';
import { deriveRequest, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { MFAS_NAME } from '../schema/system-auth-records.ts';
import { noteAuthOrigin } from './auth-alert.ts';
import { buildAuthResponse, checkAuthRule, type AuthResponse } from './auth-response.ts';

export type AuthMethod = 'password' | 'otp' | 'oauth2';

/** wire: the body of PocketBase's 401 MFA challenge, exactly `{"mfaId": "…"}` (not the error shape). */
export interface MfaChallenge {
  mfaId: string;
}

/** One login attempt as the routes see it: the caller, the client IP (auth alerts) and the parsed body. */
export interface AuthAttempt {
  info: RequestInfo;
  ip: string;
  body: Record<string, unknown>;
}

/** wire: the longest `mfa.duration` PocketBase accepts; older rows are stale whatever the collection says. */
const MAX_MFA_SECONDS = 86400;

export function isMfaChallenge(out: AuthResponse | MfaChallenge): out is MfaChallenge {
  return !('token' in out);
}

function isExpired(core: Core, created: unknown, seconds: number): boolean {
  const at = parseDateTime(created);
  return !at || core.clock().getTime() - at.getTime() > seconds * 1000;
}

/** wire: an empty rule asks every record; a rule that cannot run fails the login rather than skip MFA. */
async function wantsMfa(core: Core, info: RequestInfo, collection: CollectionModel, id: string): Promise<boolean> {
  const rule = collection.auth?.mfa.rule ?? '';
  if (rule === '') return true;
  try {
    const where = compileRuleWhere(scopeOf(core.schema, collection, info, core.db.dialect), rule);
    if (where === 'allow' || where === 'deny') return where === 'allow';
    const table = collection.name;
    const hit = await core.db.read.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', id).where(where).executeTakeFirst();
    return hit !== undefined;
  } catch (err) {
    throw new GalleyError('invalid', 'Failed to authenticate.', { cause: err });
  }
}

function readMfaId(info: RequestInfo, body: Record<string, unknown>): string {
  const fromQuery = info.query['mfaId'];
  if (fromQuery) return fromQuery;
  const value = body['mfaId'];
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string') throw new GalleyError('invalid', 'Failed to read MFA Id.');
  return value;
}

async function openMfaSession(core: Core, collection: CollectionModel, recordId: string, method: AuthMethod): Promise<string> {
  const id = newRecordId();
  const now = core.clock();
  const stamp = formatDateTime(now);
  const stale = formatDateTime(new Date(now.getTime() - MAX_MFA_SECONDS * 1000));
  const mfas = findSystemCollection(core, MFAS_NAME);
  await core.db.writer.run(async (tx) => {
    // No cron here: sessions older than any allowed duration go whenever a new one starts.
    await deleteRecordRowsWhere(core, tx, mfas, (q) => q.where('created', '<', stale));
    await insertRecordRow(core, tx, mfas, { id, collectionRef: collection.id, recordRef: recordId, method, created: stamp, updated: stamp }, 'Failed to start the MFA session.');
  });
  return id;
}

/** The mfaId to answer with (first factor), or null when the login may go on (no MFA, or a valid second factor). */
async function resolveMfa(core: Core, info: RequestInfo, collection: CollectionModel, row: Record<string, unknown>, method: AuthMethod, body: Record<string, unknown>): Promise<string | null> {
  const mfa = collection.auth?.mfa;
  const recordId = String(row['id']);
  if (!mfa?.enabled || !(await wantsMfa(core, info, collection, recordId))) return null;
  const given = readMfaId(info, body);
  if (given === '') return openMfaSession(core, collection, recordId, method);

  const session = (await core.db.read.selectFrom(MFAS_NAME).selectAll().where('id', '=', given).executeTakeFirst()) as Record<string, unknown> | undefined;
  if (!session || isExpired(core, session['created'], mfa.duration)) {
    if (session) await core.db.writer.run((tx) => deleteRecordRowById(core, tx, findSystemCollection(core, MFAS_NAME), given));
    throw new GalleyError('invalid', 'Invalid or expired MFA session.');
  }
  if (session['recordRef'] !== recordId || session['collectionRef'] !== collection.id) throw new GalleyError('invalid', 'Invalid MFA session.');
  if (session['method'] === method) throw new GalleyError('invalid', 'A different authentication method is required.');
  // Spent by the delete itself, so two requests racing with one mfaId cannot both pass.
  const deleted = await core.db.writer.run((tx) => deleteRecordRowById(core, tx, findSystemCollection(core, MFAS_NAME), given));
  if (!deleted) throw new GalleyError('invalid', 'Invalid or expired MFA session.');
  return null;
}

/**
 * The end of every first-factor login (password, OTP, OAuth2): the authRule, then MFA (an `MfaChallenge`
 * the route answers with 401), then the token and record, then the new-origin alert. `attempt.body` may
 * carry the `mfaId` of an earlier factor (or the query does).
 */
export async function completeAuthWithMfa(
  core: Core,
  attempt: AuthAttempt,
  collection: CollectionModel,
  row: Record<string, unknown>,
  method: AuthMethod,
  opts: { meta?: Record<string, unknown> } = {},
): Promise<AuthResponse | MfaChallenge> {
  const info = deriveRequest(attempt.info, { context: method });
  await checkAuthRule(core, info, collection, String(row['id']));
  const mfaId = await resolveMfa(core, info, collection, row, method, attempt.body);
  if (mfaId) return { mfaId };
  const response = await buildAuthResponse(core, info, collection, row, { ...opts, authRuleChecked: true });
  if (collection.auth?.authAlert.enabled) await noteAuthOrigin(core, attempt, collection, row);
  return response;
}
