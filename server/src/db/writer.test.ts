import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import type { WriteTx } from './database.ts';
import { openSqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase, type OpenOptions } from './open.ts';
import { createWalSync, type WalSync } from './wal-sync.ts';
import { createWriter } from './writer.ts';

let dir: string;
let db: OpenedDatabase;
const extra: OpenedDatabase[] = [];

function open(opts: Partial<OpenOptions> = {}): OpenedDatabase {
  const d = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000, ...opts });
  extra.push(d);
  return d;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-'));
  // No time cap: tests here assert which jobs share a group, and a loaded box can stall the process for more than
  // the default 50 ms mid-group (it did: a preemption between two jobs split a group). 'caps a group by time' sets its own.
  db = open({ maxGroupMs: Number.POSITIVE_INFINITY });
  await db.writer.run(async (tx) => {
    await sql`CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT NOT NULL DEFAULT '')`.execute(tx.db);
  });
});
afterEach(async () => {
  for (const d of extra.splice(0)) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (tx: Pick<WriteTx, 'db'>, id: string, v = '') => tx.db.insertInto('t').values({ id, v }).execute();
const ids = async (): Promise<string[]> =>
  (await db.read.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id as string);
const deferred = () => {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
};

describe('group commit', () => {
  it('commits 200 jobs queued in one turn in one transaction', async () => {
    const roomy = open({ maxGroupMs: Number.POSITIVE_INFINITY }); // no time cap, as `db`
    const before = roomy.writer.stats();
    const jobs = Array.from({ length: 200 }, (_, i) => roomy.writer.run((tx) => insert(tx, `r${i}`).then(() => i)));
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const after = roomy.writer.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.groups - before.groups).toBe(1);
    expect(after.largestGroup).toBe(200);
    expect(await ids()).toHaveLength(200);
  });

  it('a failing job rolls back only its own writes; the others commit', async () => {
    const events: string[] = [];
    const ok1 = db.writer.run(async (tx) => {
      tx.afterCommit(() => events.push('commit a'));
      tx.afterRollback(() => events.push('rollback a'));
      await insert(tx, 'a');
    });
    const bad = db.writer.run(async (tx) => {
      tx.afterCommit(() => events.push('commit b'));
      tx.afterRollback(() => events.push('rollback b'));
      await insert(tx, 'b');
      throw new Error('job b fails after writing');
    });
    const ok2 = db.writer.run(async (tx) => insert(tx, 'c'));
    await expect(bad).rejects.toThrow('job b fails after writing');
    await Promise.all([ok1, ok2]);
    expect(await ids()).toEqual(['a', 'c']);
    expect(events.sort()).toEqual(['commit a', 'rollback b']);
    expect(db.writer.stats().commits).toBe(2); // the CREATE TABLE, then this group
  });

  it('a constraint violation rejects as a GalleyError with field issues', async () => {
    await db.writer.run((tx) => insert(tx, 'dup'));
    const err = await db.writer.run((tx) => insert(tx, 'dup')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GalleyError);
    expect(err).toMatchObject({ kind: 'invalid', issues: { id: { code: 'validation_not_unique' } } });
  });

  it('a job that throws after writing leaves nothing, nested savepoints included', async () => {
    await expect(
      db.writer.run(async (tx) => {
        await insert(tx, 'x');
        await tx.db.transaction().execute(async (inner) => insert({ db: inner }, 'y'));
        throw new Error('late failure');
      }),
    ).rejects.toThrow('late failure');
    expect(await ids()).toEqual([]);
  });

  it('a lone job runs without a savepoint; its failure rolls the transaction back and the next group still commits', async () => {
    const before = db.writer.stats();
    await expect(
      db.writer.run(async (tx) => {
        await insert(tx, 'solo');
        throw new Error('solo failure');
      }),
    ).rejects.toThrow('solo failure');
    await db.writer.run((tx) => insert(tx, 'after'));
    expect(await ids()).toEqual(['after']);
    const after = db.writer.stats();
    expect(after.groups - before.groups).toBe(2);
    expect(after.commits - before.commits).toBe(1);
  });

  it('tx.db.transaction() is a nested savepoint: its failure keeps the job’s other writes', async () => {
    await db.writer.run(async (tx) => {
      await insert(tx, 'outer');
      await expect(
        tx.db.transaction().execute(async (inner) => {
          await insert({ db: inner }, 'inner');
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
    });
    expect(await ids()).toEqual(['outer']);
  });

  it('reads through `read` never see rows of a job still in flight', async () => {
    const gate = deferred();
    const inserted = deferred();
    const job = db.writer.run(async (tx) => {
      await insert(tx, 'pending');
      inserted.open();
      await gate.promise;
    });
    await inserted.promise;
    expect(await ids()).toEqual([]);
    gate.open();
    await job;
    expect(await ids()).toEqual(['pending']);
  });

  it('afterCommit runs once the row is visible to readers', async () => {
    let seen: string[] | undefined;
    const done = deferred();
    await db.writer.run(async (tx) => {
      tx.afterCommit(() => void ids().then((r) => ((seen = r), done.open())));
      await insert(tx, 'visible');
    });
    await done.promise;
    expect(seen).toEqual(['visible']);
  });

  it('a COMMIT failure rejects every job of the group and runs their afterRollback', async () => {
    await db.writer.run(async (tx) => {
      await sql`CREATE TABLE parent (id TEXT PRIMARY KEY)`.execute(tx.db);
      await sql`CREATE TABLE child (p TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`.execute(tx.db);
    });
    const rolledBack: string[] = [];
    const innocent = db.writer.run(async (tx) => {
      tx.afterRollback(() => rolledBack.push('innocent'));
      await insert(tx, 'innocent');
    });
    const culprit = db.writer.run(async (tx) => {
      tx.afterRollback(() => rolledBack.push('culprit'));
      await tx.db.insertInto('child').values({ p: 'no such parent' }).execute(); // checked only at COMMIT
    });
    for (const p of [innocent, culprit]) {
      await expect(p).rejects.toMatchObject({ kind: 'unavailable', retryAfter: 1 });
    }
    expect(rolledBack.sort()).toEqual(['culprit', 'innocent']);
    expect(await ids()).toEqual([]);
    expect(db.writer.stats().failedGroups).toBe(1);
    await db.writer.run((tx) => insert(tx, 'after')); // the writer recovers
    expect(await ids()).toEqual(['after']);
  });

  it('jobs queued while a group runs go into the next group', async () => {
    const before = db.writer.stats();
    const gate = deferred();
    const started = deferred();
    const first = db.writer.run(async (tx) => {
      started.open();
      await gate.promise;
      await insert(tx, 'first');
    });
    await started.promise;
    const later = [db.writer.run((tx) => insert(tx, 'l1')), db.writer.run((tx) => insert(tx, 'l2'))];
    gate.open();
    await Promise.all([first, ...later]);
    const after = db.writer.stats();
    expect(after.commits - before.commits).toBe(2);
    expect(await ids()).toEqual(['first', 'l1', 'l2']);
  });

  it('caps a group by job count', async () => {
    const capped = open({ maxGroupJobs: 10, maxGroupMs: Number.POSITIVE_INFINITY });
    const before = capped.writer.stats();
    await Promise.all(Array.from({ length: 25 }, (_, i) => capped.writer.run((tx) => insert(tx, `c${i}`))));
    expect(capped.writer.stats().commits - before.commits).toBe(3);
    expect(capped.writer.stats().largestGroup).toBe(10);
  });

  it('caps a group by time', async () => {
    const capped = open({ maxGroupMs: 15 });
    const before = capped.writer.stats();
    const slow = (i: number) =>
      capped.writer.run(async (tx) => {
        await new Promise((r) => setTimeout(r, 10));
        await insert(tx, `s${i}`);
      });
    await Promise.all(Array.from({ length: 6 }, (_, i) => slow(i)));
    const commits = capped.writer.stats().commits - before.commits;
    expect(commits).toBeGreaterThanOrEqual(2);
    expect(capped.writer.stats().largestGroup).toBeLessThan(6);
  });

  it('a WriteTx is dead once its job has ended', async () => {
    let kept: WriteTx | undefined;
    await db.writer.run(async (tx) => {
      kept = tx;
    });
    await expect(insert(kept!, 'late')).rejects.toThrow(/after its job ended/);
    expect(() => kept!.afterCommit(() => {})).toThrow(/after the job ended/);
    // Even while another job holds the transaction.
    const gate = deferred();
    const other = db.writer.run(async () => gate.promise);
    await new Promise((r) => setImmediate(r));
    await expect(insert(kept!, 'sneaky')).rejects.toThrow(/after its job ended/);
    // a compiled statement too: it runs at once on the connection, not through Kysely's executor (the guard's path)
    await expect(kept!.db.executeQuery(CompiledQuery.raw("INSERT INTO t (id) VALUES ('compiled')"))).rejects.toThrow(/after its job ended/);
    gate.open();
    await other;
    expect(await ids()).toEqual([]);
  });

  it('refuses raw transaction control inside a job', async () => {
    await expect(
      db.writer.run(async (tx) => {
        await insert(tx, 'a');
        await sql`COMMIT`.execute(tx.db);
      }),
    ).rejects.toThrow(/transaction control/);
    await expect(
      db.writer.run(async (tx) => {
        await insert(tx, 'b');
        await tx.db.executeQuery(CompiledQuery.raw('COMMIT'));
      }),
    ).rejects.toThrow(/transaction control/);
    expect(await ids()).toEqual([]);
  });

  it('runs a compiled statement of a job on the job\'s connection, its rows and changes answered as through Kysely', async () => {
    const out = await db.writer.run(async (tx) => {
      const inserted = await tx.db.executeQuery(CompiledQuery.raw('INSERT INTO t (id, v) VALUES (?, ?)', ['c', 'x']));
      const read = await tx.db.executeQuery(CompiledQuery.raw('SELECT id, v FROM t WHERE id = ?', ['c']));
      return { changes: inserted.numAffectedRows, rows: read.rows };
    });
    expect(out).toEqual({ changes: 1n, rows: [{ id: 'c', v: 'x' }] });
    expect(await ids()).toEqual(['c']);
  });
});

describe('durable commits (a WAL sync after COMMIT)', () => {
  /** A WalSync whose syncs end when the test says: the ordering of answers, commits and syncs is what is checked. */
  function heldSync() {
    const waiting: Array<{ open: () => void; fail: (err: Error) => void }> = [];
    const sync: WalSync = {
      sync: () => new Promise<void>((open, fail) => waiting.push({ open, fail })),
      count: () => 0,
      lastInode: () => -1,
      close: async () => {},
    };
    return { sync, waiting };
  }

  it('answers a group and runs its after-commit callbacks only once its sync ended; the next group commits meanwhile', async () => {
    const handle = openSqliteHandle(join(dir, 'data.db'));
    const { sync, waiting } = heldSync();
    const writer = createWriter(handle, { durable: sync });
    const events: string[] = [];
    const first = writer.run(async (tx) => {
      await insert(tx, 'a');
      tx.afterCommit(() => events.push('after-commit a'));
    }).then(() => events.push('answered a'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(await ids()).toEqual(['a']); // committed, readable
    expect(waiting).toHaveLength(1);
    expect(events).toEqual([]); // not answered before its sync
    const second = writer.run((tx) => insert(tx, 'b')).then(() => events.push('answered b'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(await ids()).toEqual(['a', 'b']); // the next group did not wait for the first one's sync
    expect(waiting).toHaveLength(2);
    let drained = false;
    const draining = writer.drain().then(() => (drained = true));
    waiting[0]!.open();
    await first;
    expect(events).toEqual(['after-commit a', 'answered a']);
    expect(drained).toBe(false); // b still waits for its sync
    waiting[1]!.open();
    await Promise.all([second, draining]);
    expect(events).toEqual(['after-commit a', 'answered a', 'answered b']);
    handle.close();
  });

  it('a failed sync rejects its jobs as unavailable (503) but still runs what follows their commit', async () => {
    const handle = openSqliteHandle(join(dir, 'data.db'));
    const { sync, waiting } = heldSync();
    const writer = createWriter(handle, { durable: sync });
    let afterCommit = 0;
    const job = writer.run(async (tx) => {
      await insert(tx, 'c');
      tx.afterCommit(() => afterCommit++);
    });
    while (waiting.length === 0) await new Promise((r) => setImmediate(r));
    waiting[0]!.fail(new Error('EIO: i/o error, fdatasync'));
    await expect(job).rejects.toMatchObject({ kind: 'unavailable' });
    expect(afterCommit).toBe(1);
    expect(await ids()).toEqual(['c']);
    handle.close();
  });
});

describe('createWalSync', () => {
  it('shares syncs: callers during a sync wait for one more, started after it', async () => {
    const d = open({ file: join(dir, 'walsync.db') });
    await d.writer.run((tx) => sql`CREATE TABLE w (n INTEGER)`.execute(tx.db));
    const walSync = createWalSync(join(dir, 'walsync.db'));
    const first = walSync.sync();
    const during = [walSync.sync(), walSync.sync(), walSync.sync()];
    await first;
    expect(walSync.count()).toBe(1);
    await Promise.all(during);
    expect(walSync.count()).toBe(2); // the three shared one sync, which began after the first had ended
    await walSync.close();
  });

  it('syncs the main file when there is no WAL, and a WAL that was replaced by its new file', async () => {
    const file = join(dir, 'plain.db');
    const h = openSqliteHandle(file);
    h.exec('CREATE TABLE p (n INTEGER)');
    h.close();
    const walSync = createWalSync(file, { recheckMs: 0 });
    await walSync.sync(); // no -wal file: the database file itself
    expect(walSync.lastInode()).toBe(statSync(file).ino);
    writeFileSync(`${file}-wal`, '');
    await walSync.sync();
    const firstWal = statSync(`${file}-wal`).ino;
    expect(walSync.lastInode()).toBe(firstWal);
    const kept = `${file}-old-wal`; // kept, so the new file cannot reuse its inode number
    renameSync(`${file}-wal`, kept);
    writeFileSync(`${file}-wal`, '');
    await walSync.sync();
    expect(walSync.lastInode()).toBe(statSync(`${file}-wal`).ino);
    expect(walSync.lastInode()).not.toBe(firstWal);
    expect(walSync.count()).toBe(3);
    await walSync.close();
  });
});
