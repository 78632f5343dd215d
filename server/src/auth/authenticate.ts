import type { Core } from '../core.ts';
import type { AuthInfo } from '../rules/request-info.ts';
import { findAuthRecordByToken } from './find-auth-record.ts';

/**
 * wire: the SDK sends the raw token; a `Bearer ` prefix (any case, one space) is stripped as PocketBase does.
 * Nothing else is trimmed or repaired: a token with stray whitespace is simply not a token.
 */
export function tokenFromHeader(header: string | null): string | null {
  if (!header) return null;
  const token = header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7) : header;
  return token === '' ? null : token;
}

/**
 * The caller behind an Authorization header, or null: only an `auth` token, signed with its own record's
 * tokenKey and its collection's auth secret, counts; anything else (expired, tampered, another token type)
 * is a guest, never a 401.
 */
export async function authenticateRequest(core: Core, header: string | null): Promise<AuthInfo | null> {
  const token = tokenFromHeader(header);
  if (!token) return null;
  const found = await findAuthRecordByToken(core, token, 'auth');
  return found ? { collection: found.collection, record: found.row } : null;
}
