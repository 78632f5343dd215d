/**
 * Galley extension: POST /api/collections/{c}/auth-logout-all ends every session of a record at once by
 * turning its tokenKey over (every token is signed with it, and each request re-reads the record).
 */
import type { Core } from '../core.ts';
import { GalleyError, issue, notFound } from '../errors.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { throwIfInvalid } from './find-auth-record.ts';
import { findAuthCollection } from './password-auth.ts';
import { requireCollectionAuth } from './require-auth.ts';
import { writeAuthRecord } from './write-auth-record.ts';

/** Without `recordId`: the caller's own sessions. With one: a superuser's action on any auth record. */
export async function logoutAllSessions(core: Core, info: RequestInfo, collectionIdOrName: string, body: Record<string, unknown>): Promise<void> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  const raw = body['recordId'];
  if (raw !== undefined && typeof raw !== 'string') throwIfInvalid({ recordId: issue('validation_unsupported_value_type', 'Invalid value type.') });
  const recordId = typeof raw === 'string' && raw !== '' ? raw : undefined;
  let id: string;
  if (recordId === undefined || (info.auth.collection.id === collection.id && recordId === info.auth.record['id'])) {
    id = String(requireCollectionAuth(info, collection)['id']);
  } else {
    if (!isSuperuser(info)) throw new GalleyError('forbidden', 'Only superusers can end the sessions of another record.');
    id = recordId;
  }
  const exists = await core.db.read.selectFrom(collection.name).select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) throw notFound();
  await writeAuthRecord(core, collection, id, { rotateTokenKey: true }, 'Failed to end the sessions.');
}
