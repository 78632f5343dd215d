/** POST /impersonate/{id}: a superuser gets a non-refreshable auth token for any auth record. */
import type { Core } from '../core.ts';
import { issue, notFound } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { buildAuthResponse, type AuthResponse } from './auth-response.ts';
import { throwIfInvalid } from './find-auth-record.ts';
import { findAuthCollection } from './password-auth.ts';
import { requireSuperuserAuth } from './require-auth.ts';

/** wire: `duration` in seconds, 0 or absent = the collection's auth token duration; the token is not refreshable. */
export async function impersonateRecord(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  id: string,
  body: Record<string, unknown>,
): Promise<AuthResponse> {
  requireSuperuserAuth(info);
  const collection = findAuthCollection(core, collectionIdOrName);
  const row = (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', id).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) throw notFound();
  const raw = body['duration'] ?? 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    throwIfInvalid({ duration: issue('validation_min_greater_equal_than_required', 'Must be no less than 0.', { threshold: 0 }) });
  }
  const duration = (raw as number) > 0 ? (raw as number) : (collection.auth?.authToken.duration ?? 432000);
  return buildAuthResponse(core, info, collection, row, { refreshable: false, duration });
}
