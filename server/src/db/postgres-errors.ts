/**
 * PostgreSQL errors → GalleyError, explicitly, as `sqlite-errors.ts` does for SQLite. node-postgres throws a
 * DatabaseError whose `code` is the SQLSTATE ('23505', '57P01', …); a lost or refused connection is a Node
 * socket error (`ECONNREFUSED`, …) or pg's own "Connection terminated" text. Anything not listed maps to null:
 * the caller logs it and answers a generic error, so no SQL text ever reaches a client.
 */
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { RETRY_AFTER_SECONDS } from './sqlite-errors.ts';

interface PgErrorParts {
  code: string;
  detail: string;
  column: string;
}

type Mapper = (parts: PgErrorParts, cause: unknown) => GalleyError;

const unavailable =
  (text: string): Mapper =>
  (_parts, cause) =>
    new GalleyError('unavailable', text, { cause, retryAfter: RETRY_AFTER_SECONDS });

const invalid =
  (text: string): Mapper =>
  (_parts, cause) =>
    new GalleyError('invalid', text, { cause });

/** The key's parts, split at the commas outside parentheses and quotes: 'lower(email), rtrim(x, \' \')' → two. */
function splitKeyParts(key: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(key.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(key.slice(start));
  return parts.map((p) => p.trim());
}

// a column as an index on SQLite's collations writes it (db/postgres-ddl.ts): lower(col) for NOCASE, rtrim(col, ' ') for RTRIM
const FOLDED_COLUMN = /^(?:lower|rtrim)\(\(*"?(\w+)"?\)*(?:::text)?(?:, ' '(?:::text)?)?\)$/;

/**
 * 'Key (slug, author)=(a, b) already exists.' → ['slug', 'author']; a NOCASE/RTRIM column ('lower(email)') is its
 * column, as SQLite names the column of a COLLATE NOCASE index; other expressions name none.
 */
function keyColumnsOf(detail: string): string[] {
  const m = /^Key \((.*)\)=\(/.exec(detail);
  if (!m) return [];
  return splitKeyParts(m[1]!)
    .map((c) => FOLDED_COLUMN.exec(c)?.[1] ?? c.replace(/^"(.*)"$/, '$1'))
    .filter((c) => /^\w+$/.test(c));
}

// wire: PocketBase reports a unique violation per column with this code and text (as mapSqliteError does)
const mapUnique: Mapper = (parts, cause) => {
  const issues: IssueTree = {};
  for (const col of keyColumnsOf(parts.detail)) issues[col] = issue('validation_not_unique', 'Value must be unique.');
  return new GalleyError('invalid', 'Failed to save: a value must be unique.', { issues, cause });
};

const mapNotNull: Mapper = (parts, cause) => {
  const issues: IssueTree = parts.column ? { [parts.column]: issue('validation_required', 'Cannot be blank.') } : {};
  return new GalleyError('invalid', 'Failed to save: a required value is missing.', { issues, cause });
};

const BUSY = 'The database is busy; try again shortly.';
const GONE = 'The database is not reachable; try again shortly.';
// a filter value PostgreSQL cannot read as the type it is compared with (docs/postgresql.md: SQLite answers these)
const TYPES = 'The filter compares a value with a field of another type that PostgreSQL cannot convert it to.';

/** By SQLSTATE; then by its class (the first two characters). */
const BY_CODE: Record<string, Mapper> = {
  '23505': mapUnique,
  '23502': mapNotNull,
  '23503': invalid('Failed to save: a referenced record is missing or still referenced.'),
  '23514': invalid('Failed to save: a value is not allowed.'),
  '23': invalid('Failed to save: a value is not allowed.'),
  '22P02': invalid(TYPES),
  '22003': invalid(TYPES),
  '42883': invalid(TYPES),
  '22025': invalid('Invalid filter: a LIKE pattern has a bad escape.'),
  '40001': unavailable(BUSY),
  '40P01': unavailable(BUSY),
  '55P03': unavailable(BUSY),
  '53300': unavailable(BUSY),
  '53100': unavailable('The database could not write: the disk is full.'),
  '53': unavailable(BUSY),
  '57P01': unavailable(GONE),
  '57P02': unavailable(GONE),
  '57P03': unavailable(GONE),
  '08': unavailable(GONE),
  '25006': unavailable('The database is read-only right now (a failover?); try again shortly.'),
};

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// pg and pg-pool raise these as plain Errors, without a code
const CONNECTION_TEXTS = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /Connection terminated unexpectedly/];

export function mapPostgresError(err: unknown): GalleyError | null {
  if (err instanceof GalleyError) return err;
  if (!(err instanceof Error)) return null;
  const e = err as Error & { code?: unknown; detail?: unknown; column?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (SOCKET_CODES.has(code) || (code === '' && CONNECTION_TEXTS.some((t) => t.test(e.message)))) return unavailable(GONE)({ code, detail: '', column: '' }, err);
  if (!/^[0-9A-Z]{5}$/.test(code)) return null;
  const mapper = BY_CODE[code] ?? BY_CODE[code.slice(0, 2)];
  return mapper ? mapper({ code, detail: typeof e.detail === 'string' ? e.detail : '', column: typeof e.column === 'string' ? e.column : '' }, err) : null;
}
