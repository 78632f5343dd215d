// The paced snapshot (the main file copied inside a pinned read) while another process commits without pause:
// each copy is one point in time (an invariant every commit keeps holds in it, and it lies between what was
// committed before and after the copy), passes integrity_check, and is a plain rollback-journal file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChildDriver, openSqliteHandle, type SqliteHandle } from '../db/driver.ts';
import { pacedSnapshot } from './paced-snapshot.ts';

let dir = '';
let writer: ChildProcess | undefined;
const file = () => join(dir, 'data.db');

/**
 * Every commit adds 1 to one row's v and to meta.n (sum(v) = n in any consistent image), rewriting that row in
 * place; every 150th also inserts and deletes a 400 KB row (the file grows, the free list with it). Not
 * reproduced here: a main file that ends before the snapshot's last page (a page SQLite allocated and freed
 * in one statement is never written; seen on the 1 GB bench database), which the copy fills with zeros.
 */
const WRITER = `
const [runtime, mod, file] = process.argv.slice(-3);
const db = runtime === 'bun' ? new (require('bun:sqlite').Database)(file) : new (require(mod))(file);
db.exec('PRAGMA busy_timeout = 5000');
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA wal_autocheckpoint = 50'); // checkpoints while a copy reads: they stop at its mark and skip newer pages
const bump = db.prepare("UPDATE rows SET v = v + 1, pad = randomblob(4000) WHERE id = ?");
const count = db.prepare("UPDATE meta SET n = n + 1");
const grow = db.prepare("INSERT INTO rows (v, pad) VALUES (0, randomblob(400000))");
const shrink = db.prepare("DELETE FROM rows WHERE id = (SELECT max(id) FROM rows)");
for (let i = 0; ; i++) {
  db.exec('BEGIN IMMEDIATE');
  bump.run(1 + (i % 3000)); count.run();
  if (i % 150 === 0) { grow.run(); shrink.run(); }
  db.exec('COMMIT');
  if (i === 0) process.stdout.write('ready\\n');
}
`;

const one = (h: SqliteHandle, sql: string) => Object.values(h.prepare(sql).all()[0] ?? {})[0];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-paced-snapshot-'));
  const db = openSqliteHandle(file());
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, v INTEGER, pad BLOB)');
  db.exec('CREATE TABLE meta (n INTEGER)');
  // ~12 MB before the writer starts: the copy spans many chunks and syncs
  db.exec('WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000) INSERT INTO rows (v, pad) SELECT 0, randomblob(4000) FROM s');
  db.exec('INSERT INTO meta (n) VALUES (0)');
  db.close();
  const driver = describeChildDriver();
  writer = spawn(process.execPath, ['-e', WRITER, driver.runtime, driver.module, file()], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BUN_BE_BUN: '1' } });
  await new Promise<void>((resolve, reject) => {
    writer!.stdout!.once('data', () => resolve());
    writer!.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
  });
}, 30_000);

afterAll(() => {
  writer?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a paced snapshot while another process commits', () => {
  it('is one point in time between the commits before and after it, integrity ok, three times over', () => {
    // no other connection of this process is open meanwhile (pacedSnapshot's rule: its descriptors' close would
    // drop that connection's locks)
    const committed = () => {
      const live = openSqliteHandle(file());
      try {
        return Number(one(live, 'SELECT n FROM meta'));
      } finally {
        live.close();
      }
    };
    for (let round = 0; round < 3; round++) {
      const target = join(dir, `copy-${round}.db`);
      const before = committed();
      const result = pacedSnapshot(file(), target, 5000, { chunkBytes: 64 * 1024, syncEveryBytes: 256 * 1024, pauseMs: 1 });
      const after = committed();
      expect(result).toMatchObject({ copied: true });
      const header = readFileSync(target).subarray(16, 20);
      expect([header[2], header[3]]).toEqual([1, 1]); // a rollback-journal file, as VACUUM INTO writes
      const copy = openSqliteHandle(target);
      try {
        expect(one(copy, 'PRAGMA integrity_check')).toBe('ok');
        const n = Number(one(copy, 'SELECT n FROM meta'));
        expect(Number(one(copy, 'SELECT sum(v) FROM rows'))).toBe(n);
        expect(n).toBeGreaterThanOrEqual(before);
        expect(n).toBeLessThanOrEqual(after);
      } finally {
        copy.close();
      }
    }
  }, 60_000);

  it('declines a database not in WAL mode (the caller uses VACUUM INTO) and leaves no copy', () => {
    const plain = join(dir, 'plain.db');
    const db = openSqliteHandle(plain);
    db.exec('PRAGMA journal_mode = DELETE');
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(pacedSnapshot(plain, join(dir, 'plain-copy.db'), 1000)).toEqual({ copied: false, reason: 'journal_mode is delete, not wal' });
    expect(() => readFileSync(join(dir, 'plain-copy.db'))).toThrow();
  });
});
