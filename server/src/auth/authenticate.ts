import type { Core } from '../core.ts';
import type { AuthInfo } from '../rules/request-info.ts';
import { peekTokenClaims, verifyRecordToken } from './tokens.ts';

/** wire: the SDK sends the raw token; `Bearer ` is accepted too, case-insensitively. */
export function tokenFromHeader(header: string | null): string | null {
  if (!header) return null;
  const token = header.replace(/^bearer\s+/i, '').trim();
  return token === '' ? null : token;
}

/** The caller behind an Authorization header, or null: an invalid or expired token is a guest, never a 401. */
export async function authenticateRequest(core: Core, header: string | null): Promise<AuthInfo | null> {
  const token = tokenFromHeader(header);
  if (!token) return null;
  const claims = peekTokenClaims(token);
  if (!claims || claims.type !== 'auth') return null;
  const collection = core.schema.findCollection(claims.collectionId);
  if (!collection || collection.type !== 'auth' || collection.id !== claims.collectionId) return null;
  const record = await core.db.read
    .selectFrom(collection.name)
    .selectAll()
    .where('id', '=', claims.id)
    .executeTakeFirst();
  if (!record) return null;
  const verified = await verifyRecordToken(core, token, collection, record, 'auth');
  return verified ? { collection, record } : null;
}
