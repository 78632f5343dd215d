/**
 * The driver contract: what every SqliteHandle must do, whichever native module sits below it.
 * driver.test.ts runs it once per runtime (bun:sqlite under Bun, better-sqlite3 under Node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HandleOptions, SqliteHandle } from './driver.ts';
import { mapSqliteError } from './sqlite-errors.ts';

export function describeDriverContract(name: string, open: (file: string, opts?: HandleOptions) => SqliteHandle): void {
  describe(`driver contract: ${name}`, () => {
    let dir: string;
    let db: SqliteHandle;
    const opened: SqliteHandle[] = [];
    const openHere = (opts?: HandleOptions): SqliteHandle => {
      const h = open(join(dir, 'data.db'), opts);
      opened.push(h);
      return h;
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'galley-'));
      db = openHere();
      db.exec('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT, n NUMERIC, b BOOLEAN, raw BLOB)');
    });
    afterEach(() => {
      for (const h of opened.splice(0)) h.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs a statement with positional params and reports changes and the rowid', () => {
      const r = db.prepare('INSERT INTO t (id, v, n) VALUES (?, ?, ?)').run(['a', 'hello', 1.5]);
      expect(r.changes).toBe(1);
      expect(Number(r.lastInsertRowid)).toBe(1);
      const u = db.prepare('UPDATE t SET v = ? WHERE id != ?').run(['x', 'nope']);
      expect(u.changes).toBe(1);
      expect(db.prepare('SELECT id, v, n FROM t WHERE id = ?').all(['a'])).toEqual([{ id: 'a', v: 'x', n: 1.5 }]);
    });

    it('knows which statements return rows', () => {
      expect(db.prepare('SELECT 1 AS one').returnsRows).toBe(true);
      expect(db.prepare("INSERT INTO t (id) VALUES ('r') RETURNING id").returnsRows).toBe(true);
      expect(db.prepare('INSERT INTO t (id) VALUES (?)').returnsRows).toBe(false);
      expect(db.prepare("INSERT INTO t (id) VALUES ('q') RETURNING id").all()).toEqual([{ id: 'q' }]);
    });

    it('returns rows as plain objects', () => {
      db.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(['a', 'b']);
      const [row] = db.prepare('SELECT id, v FROM t').all();
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(JSON.stringify(row)).toBe('{"id":"a","v":"b"}');
    });

    it('binds booleans as 0/1, undefined as NULL', () => {
      db.prepare('INSERT INTO t (id, b, v) VALUES (?, ?, ?)').run(['t', true, undefined]);
      db.prepare('INSERT INTO t (id, b) VALUES (?, ?)').run(['f', false]);
      expect(db.prepare('SELECT id, b, v, typeof(b) AS ty FROM t ORDER BY id').all()).toEqual([
        { id: 'f', b: 0, v: null, ty: 'integer' },
        { id: 't', b: 1, v: null, ty: 'integer' },
      ]);
    });

    it('round-trips unicode, NUL characters and blobs unchanged', () => {
      const text = 'é 😀 中文 \u0000 after-nul \u202e';
      const raw = new Uint8Array([0, 1, 2, 255]);
      db.prepare('INSERT INTO t (id, v, raw) VALUES (?, ?, ?)').run(['u', text, raw]);
      const [row] = db.prepare('SELECT v, length(v) AS len, raw FROM t').all();
      expect(row!.v).toBe(text);
      expect(row!.raw).toBeInstanceOf(Uint8Array);
      expect([...(row!.raw as Uint8Array)]).toEqual([0, 1, 2, 255]);
    });

    it('binds bigints in range and refuses ones out of 64-bit range on both runtimes', () => {
      expect(db.prepare('SELECT ? AS n').all([9007199254740993n])[0]!.n).toBeTypeOf('number');
      expect(() => db.prepare('SELECT ? AS n').all([2n ** 64n])).toThrow(RangeError);
      expect(() => db.prepare('SELECT ? AS n').all([{ a: 1 }])).toThrow(TypeError);
      expect(() => db.prepare('SELECT ? AS n').all([new Date()])).toThrow(TypeError);
    });

    it('caches prepared statements per connection and evicts the least recently used', () => {
      const small = openHere({ statementCacheSize: 2 });
      const a = small.prepare('SELECT 1 AS a');
      expect(small.prepare('SELECT 1 AS a')).toBe(a);
      small.prepare('SELECT 2 AS b');
      small.prepare('SELECT 1 AS a'); // a is now the most recent
      small.prepare('SELECT 3 AS c'); // evicts b
      expect(small.prepare('SELECT 1 AS a')).toBe(a);
      expect(small.prepare('SELECT 1 AS a').all()).toEqual([{ a: 1 }]);
    });

    it('a cached statement sees a column added by another connection', () => {
      db.exec('PRAGMA journal_mode = WAL');
      db.prepare("INSERT INTO t (id) VALUES ('a')").run();
      const other = openHere();
      const select = other.prepare('SELECT * FROM t');
      expect(Object.keys(select.all()[0]!)).not.toContain('extra');
      db.exec("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'z'");
      expect(other.prepare('SELECT * FROM t').all()[0]).toMatchObject({ id: 'a', extra: 'z' });
    });

    it('reports transactions and keeps errors as SQLite codes that map to GalleyError', () => {
      db.prepare('INSERT INTO t (id) VALUES (?)').run(['dup']);
      expect(db.inTransaction).toBe(false);
      db.exec('BEGIN');
      expect(db.inTransaction).toBe(true);
      db.exec('ROLLBACK');
      let caught: unknown;
      try {
        db.prepare('INSERT INTO t (id) VALUES (?)').run(['dup']);
      } catch (err) {
        caught = err;
      }
      expect((caught as { code?: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
      const mapped = mapSqliteError(caught);
      expect(mapped?.kind).toBe('invalid');
      expect(mapped?.issues).toEqual({ id: { code: 'validation_not_unique', message: 'Value must be unique.' } });
      expect(() => db.prepare('SELECT * FROM missing_table')).toThrow(/no such table/);
    });

    it('close is idempotent', () => {
      const h = openHere();
      h.close();
      expect(() => h.close()).not.toThrow();
    });
  });
}
