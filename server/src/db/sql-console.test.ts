// The console's runner below the routes: statements split on real tokens, and close() ends a console write that
// holds the writer paused (its child is killed, its transaction rolled back) instead of waiting for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';
import { refuseSqlStatement, splitSqlStatements } from './sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits at semicolons outside strings, quoted names and comments', () => {
    const parts = splitSqlStatements("select ';' as a; -- one; two\nselect \"x;y\" from [a;b] /* ; */;; explain query plan select 1");
    expect(parts.map((p) => p.text)).toEqual(["select ';' as a", '-- one; two\nselect "x;y" from [a;b] /* ; */', 'explain query plan select 1']);
    expect(parts.map((p) => p.explained)).toEqual([false, false, true]);
    expect(parts[2]!.tokens.map((t) => t.text)).toEqual(['select', '1']);
  });

  it('refuses on words what must never be prepared, and lets TEMP objects through', () => {
    const why = (q: string) => splitSqlStatements(q).map((s, _i, all) => refuseSqlStatement(s, all.length));
    expect(why('create temp table x(a)')).toEqual([null]);
    expect(why('PRAGMA table_info(posts); pragma quick_check')).toEqual([null, null]);
    expect(why('pragma "synchronous" = 0')[0]).toContain('with a value is refused');
    expect(why('pragma temp_store = memory')[0]).toContain('PRAGMA temp_store is refused');
    expect(why('rollback to a')).toEqual([null]);
    expect(why('rollback')[0]).toContain('ROLLBACK is refused');
  });
});

describe('closing with a console write running', () => {
  let dir: string;
  let db: OpenedDatabase;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'galley-console-'));
    db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 5000 });
    await db.writer.run((tx) => sql`CREATE TABLE t (id TEXT PRIMARY KEY)`.execute(tx.db));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('kills the child, rolls its write back and closes without waiting for the deadline', async () => {
    const text = "insert into t select 'x' where (with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c) > 0";
    const running = db.sqlConsole.run({ statements: [{ text, explained: false, maintenance: false }], readOnly: false, maxRows: 10, synchronous: 'FULL', busyTimeoutMs: 5000, timeoutMs: 600_000 });
    const outcome = running.catch((err: unknown) => err);
    for (;;) {
      const h = openSqliteHandle(join(dir, 'data.db'));
      h.exec('PRAGMA busy_timeout = 0');
      let held = false;
      try {
        h.exec('BEGIN IMMEDIATE');
        h.exec('ROLLBACK');
      } catch {
        held = true;
      }
      h.close();
      if (held) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const queued = db.writer.run((tx) => sql`INSERT INTO t (id) VALUES ('queued')`.execute(tx.db));
    await db.close();
    await queued;
    expect(await outcome).toMatchObject({ kind: 'unavailable', message: 'the server is shutting down' });
    const h = openSqliteHandle(join(dir, 'data.db'));
    expect(h.prepare('SELECT id FROM t').all()).toEqual([{ id: 'queued' }]);
    h.close();
  });

  it('a fifth query while four run gets a 503 with Retry-After; close() ends the four', async () => {
    const text = 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c';
    const job = { statements: [{ text, explained: false, maintenance: false }], readOnly: true, maxRows: 10, synchronous: 'FULL' as const, busyTimeoutMs: 5000, timeoutMs: 600_000 };
    const four = Array.from({ length: 4 }, () => db.sqlConsole.run(job).catch((err: unknown) => err));
    await expect(db.sqlConsole.run(job)).rejects.toMatchObject({ kind: 'unavailable', retryAfter: 1 });
    await db.close();
    for (const outcome of await Promise.all(four)) expect(outcome).toMatchObject({ kind: 'unavailable', message: 'the server is shutting down' });
  });
});
