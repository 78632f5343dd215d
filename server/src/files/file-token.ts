/** Short-lived file tokens (PocketBase's type "file"): how protected files are opened from an <img src>. */
import { findAuthRecordByToken } from '../auth/find-auth-record.ts';
import { signRecordToken } from '../auth/tokens.ts';
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import type { AuthInfo, RequestInfo } from '../rules/request-info.ts';

/** wire: PocketBase's default fileToken duration (seconds) when a collection sets none. */
const DEFAULT_FILE_TOKEN_SECONDS = 180;

/** POST /api/files/token: a file token for the caller (any auth record, superusers too); guests get 401. */
export async function issueFileToken(core: Core, info: RequestInfo): Promise<{ token: string }> {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  const { collection, record } = info.auth;
  const seconds = collection.auth?.fileToken.duration || DEFAULT_FILE_TOKEN_SECONDS;
  return { token: await signRecordToken(core, collection, record, 'file', seconds) };
}

/** The auth record a `?token=` file token stands for, or null (missing, expired, forged, another type). */
export async function resolveFileToken(core: Core, token: string | undefined): Promise<AuthInfo | null> {
  const text = token?.trim();
  if (!text) return null;
  const found = await findAuthRecordByToken(core, text, 'file');
  return found ? { collection: found.collection, record: found.row } : null;
}
