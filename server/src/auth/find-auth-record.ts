/** Looking up an auth record by a token of one type, or by email, the way PocketBase's flows do. */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Core, TokenType } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import type { FilterDialect } from '../query/dialect.ts';
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

/**
 * The condition "`field` is `value`" as the field's unique index compares: ignoring ASCII case when that index
 * is NOCASE (always so for email: schema/auth-collection.ts; `= ? COLLATE NOCASE` on SQLite, `lower() = lower()`
 * on PostgreSQL, whose index is lower(email)), else exact. Both can hold for one row only, so a sign-in never
 * picks one of two records (wire: PocketBase's findRecordByIdentityField / FindAuthRecordByEmail).
 */
export function buildIdentityMatch(collection: CollectionModel, field: string, value: string, dialect: FilterDialect): Expression<SqlBool> {
  const nocase = findSingleColumnUniqueIndex(collection.indexes, field)?.columns[0]?.collate.toLowerCase() === 'nocase';
  const ref = sql.ref(field);
  const equal = nocase ? dialect.equalsNocase(ref, sql.val(value)) : sql<SqlBool>`${ref} = ${value}`;
  // `!= ''` changes nothing for a non-empty value, and lets SQLite use the partial `WHERE email != ''` index
  // (measured: 100k users, 0.005 ms a lookup instead of a 9–20 ms scan)
  return sql<SqlBool>`(${equal} AND ${ref} != '')`;
}

/** The record with this email (case-insensitively: the email index is NOCASE). */
export async function findAuthRecordByEmail(core: Core, collection: CollectionModel, email: string): Promise<Record<string, unknown> | undefined> {
  const match = buildIdentityMatch(collection, 'email', email, core.db.dialect);
  const row = await core.db.read.selectFrom(collection.name).selectAll().where(match).limit(1).executeTakeFirst();
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
