// writer.run from inside a running job: an inner savepoint of the same transaction (db/write-scope.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriteTx } from './database.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';

let dir: string;
let db: OpenedDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-scope-'));
  db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  await db.writer.run(async (tx) => {
    await sql`CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL)`.execute(tx.db);
  });
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (tx: Pick<WriteTx, 'db'>, id: string) => tx.db.insertInto('t').values({ id }).execute();
/** ids as `db.read` sees them from where it is called */
const ids = async (): Promise<string[]> =>
  (await db.read.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r.id as string);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('inner jobs', () => {
  it('run at once inside the outer transaction: one commit, no deadlock', async () => {
    const before = db.writer.stats();
    const got = await db.writer.run(async () => {
      const a = await db.writer.run(async (tx) => (await insert(tx, 'a'), 'A'));
      const b = await db.writer.run(async (tx) => (await insert(tx, 'b'), 'B'));
      return a + b;
    });
    expect(got).toBe('AB');
    const after = db.writer.stats();
    expect(after.commits - before.commits).toBe(1);
    expect(after.jobs - before.jobs).toBe(1);
    expect(await ids()).toEqual(['a', 'b']);
  });

  it('db.read inside a job sees its uncommitted writes; outside it sees them only after COMMIT', async () => {
    let inside: string[] = [];
    let outsideDuring: string[] = ['unset'];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = db.writer.run(async (tx) => {
      await insert(tx, 'x');
      await db.writer.run((inner) => insert(inner, 'y'));
      inside = await ids();
      await gate;
    });
    while (inside.length === 0) await tick();
    outsideDuring = await ids();
    release();
    await job;
    expect(inside).toEqual(['x', 'y']);
    expect(outsideDuring).toEqual([]);
    expect(await ids()).toEqual(['x', 'y']);
  });

  it('a failing inner job undoes only its own writes and runs its afterRollback at once', async () => {
    const events: string[] = [];
    await db.writer.run(async (tx) => {
      await insert(tx, 'kept');
      const failed = db.writer.run(async (inner) => {
        inner.afterRollback(() => events.push('inner rollback'));
        inner.afterCommit(() => events.push('inner commit'));
        await insert(inner, 'undone');
        throw new Error('inner fails');
      });
      await expect(failed).rejects.toThrow('inner fails');
      expect(events).toEqual(['inner rollback']);
      expect(await ids()).toEqual(['kept']);
      await db.writer.run((inner) => insert(inner, 'after'));
    });
    expect(await ids()).toEqual(['after', 'kept']);
    expect(events).toEqual(['inner rollback']);
  });

  it("an inner job's afterCommit waits for the outer COMMIT; an outer failure runs its afterRollback instead", async () => {
    const events: string[] = [];
    await db.writer.run(async () => {
      await db.writer.run(async (inner) => {
        inner.afterCommit(() => events.push('commit 1'));
        await insert(inner, 'one');
      });
      expect(events).toEqual([]); // the inner job has settled, the transaction has not
    });
    expect(events).toEqual(['commit 1']);

    const failed = db.writer.run(async () => {
      await db.writer.run(async (inner) => {
        inner.afterCommit(() => events.push('commit 2'));
        inner.afterRollback(() => events.push('rollback 2'));
        await insert(inner, 'two');
      });
      throw new Error('outer fails after its inner job succeeded');
    });
    await expect(failed).rejects.toThrow('outer fails');
    expect(events).toEqual(['commit 1', 'rollback 2']);
    expect(await ids()).toEqual(['one']);
  });

  it('inner jobs started together run one after another', async () => {
    await db.writer.run(async () => {
      const results = await Promise.allSettled([
        db.writer.run(async (tx) => {
          await insert(tx, 'p1');
          await tick();
          await insert(tx, 'p2');
        }),
        db.writer.run(async (tx) => {
          await insert(tx, 'q1');
          await tick();
          throw new Error('second fails');
        }),
        db.writer.run((tx) => insert(tx, 'r1')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    });
    expect(await ids()).toEqual(['p1', 'p2', 'r1']);
  });

  it('once the outer job has ended, a straggling inner job can neither write nor start another', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let straggler!: Promise<unknown>;
    let lateRun!: Promise<unknown>;
    const outer = db.writer.run(async () => {
      straggler = db.writer.run(async (tx) => {
        await insert(tx, 'before');
        await paused;
        await insert(tx, 'after the end'); // the outer job has failed by now
      });
      // a chain started inside the job that asks for a write only after the job has ended
      lateRun = paused.then(() => db.writer.run((tx) => insert(tx, 'late')));
      straggler.catch(() => {});
      lateRun.catch(() => {});
      await tick();
      throw new Error('outer gives up (a timeout)');
    });
    await expect(outer).rejects.toThrow('outer gives up');
    resume();
    await expect(straggler).rejects.toThrow(/after its job ended/);
    await expect(lateRun).rejects.toThrow(/has ended/);
    await db.writer.run((tx) => insert(tx, 'next'));
    expect(await ids()).toEqual(['next']);
  });

  it('a run from an afterCommit callback queues a new transaction', async () => {
    const before = db.writer.stats().commits;
    let second: Promise<unknown> | undefined;
    await db.writer.run(async (tx) => {
      tx.afterCommit(() => {
        second = db.writer.run((t2) => insert(t2, 'later'));
      });
      await insert(tx, 'first');
    });
    await second;
    expect(db.writer.stats().commits - before).toBe(2);
    expect(await ids()).toEqual(['first', 'later']);
  });
});
