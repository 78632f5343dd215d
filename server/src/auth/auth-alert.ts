/**
 * Auth alerts (wire: PocketBase's `authAlert` option): each login's origin, a fingerprint of the client IP
 * and user agent, is kept in `_authOrigins`; a login from an origin the record has not used before, by a
 * record that has logged in before, mails the login-alert template. At most 5 origins are kept per record.
 */
import { createHash } from 'node:crypto';
import type { Core } from '../core.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { newRecordId } from '../lib/ids.ts';
import { deleteRecordRowById, findSystemCollection, insertRecordRow, updateRecordRow } from '../records/record-write.ts';
import type { CollectionModel } from '../schema/model.ts';
import { AUTH_ORIGINS_NAME } from '../schema/system-auth-records.ts';
import { canSendAuthMail, sendAuthMailLater } from './mail-templates.ts';
import type { AuthAttempt } from './mfa.ts';

/** wire: PocketBase keeps this many origins per record, dropping the least recently used. */
export const MAX_AUTH_ORIGINS = 5;

/** wire: md5 of IP + user agent, the agent cut at 200 characters (plus "...") as PocketBase does. */
export function fingerprintOrigin(ip: string, userAgent: string): { fingerprint: string; userAgent: string } {
  const agent = userAgent.length > 200 ? userAgent.slice(0, 200) + '...' : userAgent;
  return { fingerprint: createHash('md5').update(ip + agent).digest('hex'), userAgent: agent };
}

async function recordOrigin(core: Core, attempt: Pick<AuthAttempt, 'info' | 'ip'>, collection: CollectionModel, row: Record<string, unknown>): Promise<void> {
  const recordId = String(row['id']);
  const { fingerprint, userAgent } = fingerprintOrigin(attempt.ip, attempt.info.headers['user_agent'] ?? '');
  const now = core.clock();
  const stamp = formatDateTime(now);
  const originsModel = findSystemCollection(core, AUTH_ORIGINS_NAME);
  const isNew = await core.db.writer.run(async (tx) => {
    const origins = (await tx.db
      .selectFrom(AUTH_ORIGINS_NAME)
      .select(['id', 'fingerprint'])
      .where('collectionRef', '=', collection.id)
      .where('recordRef', '=', recordId)
      .orderBy('updated', 'desc')
      .orderBy('id')
      .execute()) as Array<{ id: string; fingerprint: string }>;
    const current = origins.find((o) => o.fingerprint === fingerprint);
    if (current) {
      await updateRecordRow(core, tx, originsModel, current.id, { updated: stamp }, 'Failed to note the login origin.');
      return false;
    }
    const drop = origins.slice(MAX_AUTH_ORIGINS - 1).map((o) => o.id);
    for (const id of drop) await deleteRecordRowById(core, tx, originsModel, id);
    // Jobs run one at a time on the writer, so two first logins from one origin cannot both get here.
    const origin = { id: newRecordId(), collectionRef: collection.id, recordRef: recordId, fingerprint, created: stamp, updated: stamp };
    await insertRecordRow(core, tx, originsModel, origin, 'Failed to note the login origin.');
    return origins.length > 0;
  });
  const email = typeof row['email'] === 'string' ? row['email'] : '';
  // Galley: the mail leaves in the background (PocketBase waits up to 15 s for it); without SMTP (and not --dev) there is none.
  if (!isNew || email === '' || !canSendAuthMail(core)) return;
  const alertInfo = `${stamp} - ${attempt.ip} ${userAgent}`;
  sendAuthMailLater(core, collection, row, 'login-alert', email, async () => ({ alertInfo }));
}

/** Note the login's origin and alert when it is new; a failure is logged, never fails the login. */
export async function noteAuthOrigin(core: Core, attempt: Pick<AuthAttempt, 'info' | 'ip'>, collection: CollectionModel, row: Record<string, unknown>): Promise<void> {
  try {
    await recordOrigin(core, attempt, collection, row);
  } catch (err) {
    core.log.warn('auth origin not recorded', { collection: collection.name, error: err instanceof Error ? err.message : String(err) });
  }
}
