/**
 * SQLite errors → GalleyError, explicitly. Both drivers throw an Error whose `code` is SQLite's extended
 * result code name ('SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_BUSY', …). Anything not listed maps to null: the
 * caller logs it and answers a generic error, so no SQL text ever reaches a client.
 */
import { GalleyError, issue, type IssueTree } from '../errors.ts';

/** Seconds a client should wait after the database was too busy or could not write. */
export const RETRY_AFTER_SECONDS = 1;

/** `message` is the driver's text (read for column names only, never passed on); `cause` the original error. */
type Mapper = (message: string, cause: unknown) => GalleyError;

const unavailable =
  (text: string): Mapper =>
  (_message, cause) =>
    new GalleyError('unavailable', text, { cause, retryAfter: RETRY_AFTER_SECONDS });

const invalid =
  (text: string): Mapper =>
  (_message, cause) =>
    new GalleyError('invalid', text, { cause });

/** "UNIQUE constraint failed: posts.slug, posts.author" → ['slug', 'author'] (none for expression indexes). */
function columnsOf(message: string, prefix: string): string[] {
  const at = message.indexOf(prefix);
  if (at < 0) return [];
  return message
    .slice(at + prefix.length)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^[^\s.']+\.[^\s.']+$/.test(part))
    .map((part) => part.slice(part.indexOf('.') + 1));
}

// wire: PocketBase reports a unique violation per column with this code and text.
const mapUnique: Mapper = (message, cause) => {
  const issues: IssueTree = {};
  for (const col of columnsOf(message, 'UNIQUE constraint failed:')) {
    issues[col] = issue('validation_not_unique', 'Value must be unique.');
  }
  return new GalleyError('invalid', 'Failed to save: a value must be unique.', { issues, cause });
};

const mapNotNull: Mapper = (message, cause) => {
  const issues: IssueTree = {};
  for (const col of columnsOf(message, 'NOT NULL constraint failed:')) {
    issues[col] = issue('validation_required', 'Cannot be blank.');
  }
  return new GalleyError('invalid', 'Failed to save: a required value is missing.', { issues, cause });
};

/** Exact extended codes first; then the primary code (the part before the second underscore group). */
const BY_CODE: Record<string, Mapper> = {
  SQLITE_CONSTRAINT_UNIQUE: mapUnique,
  SQLITE_CONSTRAINT_PRIMARYKEY: mapUnique,
  SQLITE_CONSTRAINT_NOTNULL: mapNotNull,
  SQLITE_CONSTRAINT_FOREIGNKEY: invalid('Failed to save: a referenced record is missing or still referenced.'),
  SQLITE_CONSTRAINT_CHECK: invalid('Failed to save: a value is not allowed.'),
  SQLITE_CONSTRAINT: invalid('Failed to save: a value is not allowed.'),
  SQLITE_BUSY: unavailable('The database is busy; try again shortly.'),
  SQLITE_LOCKED: unavailable('The database is busy; try again shortly.'),
  SQLITE_FULL: unavailable('The database could not write: the disk is full.'),
  SQLITE_IOERR: unavailable('The database could not read or write its file.'),
};

const PRIMARY = /^(SQLITE_[A-Z]+)/;

function sqliteErrorParts(err: unknown): { code: string; message: string } | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  return { code, message: err.message };
}

export function mapSqliteError(err: unknown): GalleyError | null {
  if (err instanceof GalleyError) return err;
  const parts = sqliteErrorParts(err);
  if (!parts) return null;
  const primary = PRIMARY.exec(parts.code)?.[1];
  const mapper = BY_CODE[parts.code] ?? (primary === undefined ? undefined : BY_CODE[primary]);
  return mapper ? mapper(parts.message, err) : null;
}

/** True for SQLite's "database is locked/busy" family (the writer turns these into 503 + Retry-After). */
export function isBusyError(err: unknown): boolean {
  const code = sqliteErrorParts(err)?.code;
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
