import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import type { Core, TokenType } from '../core.ts';
import type { CollectionModel } from '../schema/model.ts';

/** wire: PocketBase's JWT claims; the SDK decodes `id, type, collectionId, refreshable, exp` client-side. */
export interface TokenClaims {
  id: string;
  type: TokenType;
  collectionId: string;
  refreshable?: boolean;
  email?: string;
  newEmail?: string;
  exp: number;
}

function signingKey(core: Core, collection: CollectionModel, record: Record<string, unknown>, type: TokenType): Uint8Array {
  return new TextEncoder().encode(String(record['tokenKey'] ?? '') + core.secrets.tokenSecret(collection.id, type));
}

export async function signRecordToken(
  core: Core,
  collection: CollectionModel,
  record: Record<string, unknown>,
  type: TokenType,
  durationSeconds: number,
  extra: Partial<TokenClaims> = {},
): Promise<string> {
  const exp = Math.floor(core.clock().getTime() / 1000) + durationSeconds;
  const claims = { id: String(record['id']), type, collectionId: collection.id, ...extra };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(exp)
    .sign(signingKey(core, collection, record, type));
}

/** The unverified claims, or null when the token is not a JWT with PocketBase's required claims. */
export function peekTokenClaims(token: string): TokenClaims | null {
  try {
    const c = decodeJwt(token) as Partial<TokenClaims>;
    if (typeof c.id !== 'string' || typeof c.collectionId !== 'string' || typeof c.type !== 'string') return null;
    return c as TokenClaims;
  } catch {
    return null;
  }
}

/** Verify a token of the expected type for a loaded record; `alg` is pinned to HS256. */
export async function verifyRecordToken(
  core: Core,
  token: string,
  collection: CollectionModel,
  record: Record<string, unknown>,
  type: TokenType,
): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, signingKey(core, collection, record, type), {
      algorithms: ['HS256'],
      currentDate: core.clock(),
    });
    if (payload['type'] !== type || payload['id'] !== record['id'] || payload['collectionId'] !== collection.id) return null;
    return payload as unknown as TokenClaims;
  } catch {
    return null;
  }
}

/** wire: a verification token carries the email it was sent to. */
export function signVerificationToken(core: Core, collection: CollectionModel, row: Record<string, unknown>): Promise<string> {
  const email = String(row['email'] ?? '');
  return signRecordToken(core, collection, row, 'verification', collection.auth?.verificationToken.duration ?? 86400, { email });
}

export function signPasswordResetToken(core: Core, collection: CollectionModel, row: Record<string, unknown>): Promise<string> {
  const email = String(row['email'] ?? '');
  return signRecordToken(core, collection, row, 'passwordReset', collection.auth?.passwordResetToken.duration ?? 1800, { email });
}

export function signEmailChangeToken(core: Core, collection: CollectionModel, row: Record<string, unknown>, newEmail: string): Promise<string> {
  const email = String(row['email'] ?? '');
  return signRecordToken(core, collection, row, 'emailChange', collection.auth?.emailChangeToken.duration ?? 1800, { email, newEmail });
}
