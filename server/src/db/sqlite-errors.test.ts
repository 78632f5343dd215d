import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { isBusyError, mapSqliteError } from './sqlite-errors.ts';

/** Both drivers throw an Error with SQLite's extended code name in `code` (bun: also `errno`). */
function sqliteError(code: string, message: string, ctor: 'bun' | 'better-sqlite3' = 'bun'): Error {
  const err = new Error(message) as Error & { code: string; errno?: number };
  err.name = ctor === 'bun' ? 'SQLiteError' : 'SqliteError';
  err.code = code;
  if (ctor === 'bun') err.errno = 0;
  return err;
}

describe('mapSqliteError', () => {
  const table: Array<[string, string, string, Partial<GalleyError> & { issues?: unknown }]> = [
    ['unique, one column', 'SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: posts.slug',
      { kind: 'invalid', issues: { slug: { code: 'validation_not_unique', message: 'Value must be unique.' } } }],
    ['unique, two columns', 'SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: posts.a, posts.b',
      { kind: 'invalid', issues: {
        a: { code: 'validation_not_unique', message: 'Value must be unique.' },
        b: { code: 'validation_not_unique', message: 'Value must be unique.' } } }],
    ['unique on an expression index names no column', 'SQLITE_CONSTRAINT_UNIQUE', "UNIQUE constraint failed: index 'idx_lower'",
      { kind: 'invalid', issues: {} }],
    ['primary key', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'UNIQUE constraint failed: posts.id',
      { kind: 'invalid', issues: { id: { code: 'validation_not_unique', message: 'Value must be unique.' } } }],
    ['not null', 'SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: posts.title',
      { kind: 'invalid', issues: { title: { code: 'validation_required', message: 'Cannot be blank.' } } }],
    ['foreign key', 'SQLITE_CONSTRAINT_FOREIGNKEY', 'FOREIGN KEY constraint failed', { kind: 'invalid' }],
    ['check', 'SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: length(x) > 1', { kind: 'invalid' }],
    ['other constraint', 'SQLITE_CONSTRAINT_TRIGGER', 'boom', { kind: 'invalid' }],
    ['busy', 'SQLITE_BUSY', 'database is locked', { kind: 'unavailable', retryAfter: 1 }],
    ['busy snapshot', 'SQLITE_BUSY_SNAPSHOT', 'database is locked', { kind: 'unavailable', retryAfter: 1 }],
    ['locked', 'SQLITE_LOCKED_SHAREDCACHE', 'database table is locked', { kind: 'unavailable', retryAfter: 1 }],
    ['disk full', 'SQLITE_FULL', 'database or disk is full', { kind: 'unavailable' }],
    ['io error', 'SQLITE_IOERR_WRITE', 'disk I/O error', { kind: 'unavailable' }],
  ];

  for (const [name, code, message, expected] of table) {
    for (const flavour of ['bun', 'better-sqlite3'] as const) {
      it(`${name} (${flavour})`, () => {
        const original = sqliteError(code, message, flavour);
        const mapped = mapSqliteError(original);
        expect(mapped).toBeInstanceOf(GalleyError);
        expect(mapped).toMatchObject(expected);
        expect(mapped!.cause).toBe(original);
        // No SQL text and no table names on the wire.
        expect(mapped!.message).not.toMatch(/constraint failed|posts|length\(/i);
      });
    }
  }

  it('leaves unknown errors to the caller', () => {
    expect(mapSqliteError(sqliteError('SQLITE_ERROR', 'no such table: x'))).toBeNull();
    expect(mapSqliteError(sqliteError('SQLITE_CORRUPT', 'database disk image is malformed'))).toBeNull();
    expect(mapSqliteError(new Error('plain'))).toBeNull();
    expect(mapSqliteError('a string')).toBeNull();
    expect(mapSqliteError(null)).toBeNull();
    expect(mapSqliteError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeNull();
  });

  it('passes a GalleyError through', () => {
    const err = new GalleyError('forbidden', 'no');
    expect(mapSqliteError(err)).toBe(err);
  });

  it('recognises busy errors', () => {
    expect(isBusyError(sqliteError('SQLITE_BUSY', 'database is locked'))).toBe(true);
    expect(isBusyError(sqliteError('SQLITE_LOCKED', 'locked'))).toBe(true);
    expect(isBusyError(sqliteError('SQLITE_FULL', 'full'))).toBe(false);
  });
});
