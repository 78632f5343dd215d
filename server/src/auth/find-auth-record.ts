/** Looking up an auth record by a token of one type, or by email, the way PocketBase's flows do. */
import type { Core, TokenType } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';
import type { CollectionModel } from '../schema/model.ts';
import { peekTokenClaims, verifyRecordToken, type TokenClaims } from './tokens.ts';

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface TokenRecord {
  collection: CollectionModel;
  row: Record<string, unknown>;
  claims: TokenClaims;
}

/**
 * The record a token of `type` belongs to, or null: required claims, then the record by the token's own
 * collection id (exact, never a name), then the signature with that record's tokenKey + the type's secret.
 */
export async function findAuthRecordByToken(core: Core, token: string, type: TokenType): Promise<TokenRecord | null> {
  // Only the canonical compact form: decoders forgive whitespace and padding inside segments, we do not.
  if (!COMPACT_JWT.test(token)) return null;
  const claims = peekTokenClaims(token);
  if (!claims || claims.type !== type) return null;
  const collection = core.schema.findCollection(claims.collectionId);
  if (!collection || collection.type !== 'auth' || collection.id !== claims.collectionId) return null;
  const row = (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', claims.id).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) return null;
  const verified = await verifyRecordToken(core, token, collection, row, type);
  return verified ? { collection, row, claims: verified } : null;
}

/** wire: an exact match, unless the email's unique index is `COLLATE NOCASE`. */
export async function findAuthRecordByEmail(core: Core, collection: CollectionModel, email: string): Promise<Record<string, unknown> | undefined> {
  const table = collection.name;
  const nocase = findSingleColumnUniqueIndex(collection.indexes, 'email')?.columns[0]?.collate.toLowerCase() === 'nocase';
  const row = await core.db.read
    .selectFrom(table)
    .selectAll()
    .where((eb) => (nocase ? eb(eb.fn('lower', [eb.ref('email')]), '=', email.toLowerCase()) : eb('email', '=', email)))
    .limit(1)
    .executeTakeFirst();
  return row as Record<string, unknown> | undefined;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** An email body field: required, at most 255 characters, email-shaped (wire: PocketBase's form rules). */
export function checkEmailInput(value: unknown, key: string, issues: IssueTree): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') issues[key] = issue('validation_required', 'Cannot be blank.');
  else if (text.length > 255) issues[key] = issue('validation_length_out_of_range', 'The length must be between 1 and 255.', { min: 1, max: 255 });
  else if (!EMAIL.test(text)) issues[key] = issue('validation_is_email', 'Must be a valid email address.');
  return text;
}

/** wire: PocketBase's answer when a flow's form does not validate. */
export function throwIfInvalid(issues: IssueTree, message = 'An error occurred while validating the submitted data.'): void {
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', message, { issues });
}

export function isVerified(row: Record<string, unknown>): boolean {
  return row['verified'] === 1 || row['verified'] === true;
}
