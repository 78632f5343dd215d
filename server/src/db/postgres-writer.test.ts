// The PostgreSQL write path (postgres-writer.ts) against the test cluster: a job is one transaction answered after
// its COMMIT, nested jobs are savepoints, callbacks run after COMMIT or rollback, and concurrent jobs that collide
// (serialization failures, deadlocks) are run again, or answered 503 once their attempts are spent.
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase } from '../../test/helpers/postgres.ts';
import { GalleyError } from '../errors.ts';
import { openPostgresDatabase, type OpenedPostgresDatabase } from './open-postgres-database.ts';

describePostgres('PostgreSQL writer', () => {
  const database = usePostgresDatabase();
  let db: OpenedPostgresDatabase;
  /** Another instance on the same database: what it sees is what is committed. */
  let other: OpenedPostgresDatabase;

  beforeAll(async () => {
    db = await openPostgresDatabase({ url: database.get().url, costlyReadDeadlineMs: 200 });
    other = await openPostgresDatabase({ url: database.get().url });
    await db.writer.run(async (tx) => {
      await sql`CREATE TABLE t (id text PRIMARY KEY, n double precision NOT NULL DEFAULT 0)`.execute(tx.db);
    });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await other?.close();
  });
  beforeEach(async () => {
    await db.writer.run((tx) => sql`DELETE FROM t`.execute(tx.db));
  });

  const ids = async () => (await other.read.selectFrom('t').select('id').orderBy('id').execute()).map((r) => r['id']);
  const insert = (k: typeof db.read, id: string, n = 0) => k.insertInto('t').values({ id, n }).execute();

  it('answers a job after its COMMIT; until then no other connection sees its writes, and afterCommit runs after it', async () => {
    const seen: string[] = [];
    const value = await db.writer.run(async (tx) => {
      await insert(tx.db, 'a');
      // inside the job, db.read is the job's own connection
      seen.push(`job reads ${(await db.read.selectFrom('t').select('id').execute()).length}`);
      seen.push(`others see ${(await ids()).length}`);
      tx.afterCommit(async () => seen.push(`after commit others see ${(await ids()).length}`));
      return 'done';
    });
    expect(value).toBe('done');
    expect(seen).toEqual(['job reads 1', 'others see 0', 'after commit others see 1']);
    expect(await ids()).toEqual(['a']);
  });

  it('a job that throws leaves nothing; its afterRollback runs, not its afterCommit; a unique violation is a field error', async () => {
    const ran: string[] = [];
    await db.writer.run((tx) => insert(tx.db, 'taken'));
    const failed = await db.writer
      .run(async (tx) => {
        tx.afterCommit(() => ran.push('commit'));
        tx.afterRollback(() => ran.push('rollback'));
        await insert(tx.db, 'b');
        await insert(tx.db, 'taken');
      })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(GalleyError);
    expect(failed).toMatchObject({ kind: 'invalid', issues: { id: { code: 'validation_not_unique' } } });
    expect(ran).toEqual(['rollback']);
    expect(await ids()).toEqual(['taken']);
  });

  it('nests: a failing inner job undoes only its savepoint; the inner callbacks wait for the outer COMMIT', async () => {
    const ran: string[] = [];
    await db.writer.run(async (tx) => {
      await insert(tx.db, 'outer');
      await db.writer.run(async (inner) => {
        inner.afterCommit(() => ran.push('inner ok: commit'));
        await insert(inner.db, 'inner-ok');
      });
      ran.push('inner ok: settled');
      await db.writer
        .run(async (inner) => {
          inner.afterRollback(() => ran.push('inner bad: rollback'));
          await insert(inner.db, 'inner-bad');
          await insert(inner.db, 'outer'); // duplicate: this savepoint is rolled back
        })
        .catch(() => ran.push('inner bad: rejected'));
      // the transaction goes on after the savepoint's rollback
      await insert(tx.db, 'after');
    });
    expect(ran).toEqual(['inner ok: settled', 'inner bad: rollback', 'inner bad: rejected', 'inner ok: commit']);
    expect(await ids()).toEqual(['after', 'inner-ok', 'outer']);
  });

  it('refuses raw transaction control and Kysely transactions in a job, and a WriteTx kept past its job', async () => {
    let kept: typeof db.read | undefined;
    await expect(db.writer.run(async (tx) => void (await sql`COMMIT`.execute(tx.db)))).rejects.toThrow(/transaction control/);
    await expect(db.writer.run((tx) => tx.db.transaction().execute(async () => {}))).rejects.toThrow(/transaction/);
    await db.writer.run(async (tx) => void (kept = tx.db));
    await expect(insert(kept!, 'late')).rejects.toThrow(/after its job ended/);
    expect(await ids()).toEqual([]);
  });

  it('a compiled statement meets the same guard: raw transaction control refused, an inner WriteTx kept past its job refused', async () => {
    // a compiled statement skips the plugins' transformQuery, where the builder's guard sits (SQLite's writer checks both paths)
    await expect(
      db.writer.run(async (tx) => {
        await insert(tx.db, 'a');
        await tx.db.executeQuery(CompiledQuery.raw('COMMIT'));
      }),
    ).rejects.toThrow(/transaction control/);
    expect(await ids()).toEqual([]);
    await expect(
      db.writer.run(async (tx) => {
        let inner: typeof db.read | undefined;
        await db.writer.run(async (i) => void (inner = i.db));
        // the enclosing job still runs: the kept inner tx would write into it, outside any savepoint of its own
        await inner!.executeQuery(CompiledQuery.raw("INSERT INTO t (id) VALUES ('stale')"));
        await insert(tx.db, 'b');
      }),
    ).rejects.toThrow(/after its job ended/);
    expect(await ids()).toEqual([]);
  });

  it('runs again the jobs PostgreSQL could not serialize: 8 read-modify-writes of one row lose no update', async () => {
    await db.writer.run((tx) => insert(tx.db, 'counter', 0));
    const before = db.writer.stats().retries;
    let read = 0;
    let release!: () => void;
    const allRead = new Promise<void>((resolve) => (release = resolve));
    const bump = (first: { value: boolean }) =>
      db.writer.run(async (tx) => {
        const row = await tx.db.selectFrom('t').select('n').where('id', '=', 'counter').executeTakeFirstOrThrow();
        if (first.value) {
          // every job reads the same value before any writes it: under SERIALIZABLE all but one must fail and run again
          first.value = false;
          if (++read === 8) release();
          await allRead;
        }
        await tx.db.updateTable('t').set({ n: Number(row['n']) + 1 }).where('id', '=', 'counter').execute();
      });
    const jobs = Array.from({ length: 8 }, () => bump({ value: true }));
    const results = await Promise.allSettled(jobs);
    const final = Number((await other.read.selectFrom('t').select('n').where('id', '=', 'counter').executeTakeFirstOrThrow())['n']);
    const committed = results.filter((r) => r.status === 'fulfilled').length;
    // each committed job added exactly one: nothing lost, whatever ran out of attempts
    expect(final).toBe(committed);
    expect(db.writer.stats().retries - before).toBeGreaterThanOrEqual(7);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'unavailable', retryAfter: 1 });
  }, 30_000);

  it('answers 503 with Retry-After once a job has used its attempts; its afterRollback runs', async () => {
    const once = await openPostgresDatabase({ url: database.get().url, maxWriteAttempts: 1 });
    try {
      await once.writer.run((tx) => insert(tx.db, 'c', 0));
      const ran: string[] = [];
      let read = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      const bump = () =>
        once.writer.run(async (tx) => {
          tx.afterRollback(() => ran.push('rollback'));
          await tx.db.selectFrom('t').select('n').where('id', '=', 'c').execute();
          if (++read === 2) release();
          await bothRead;
          await tx.db.updateTable('t').set({ n: sql`n + 1` }).where('id', '=', 'c').execute();
        });
      const results = await Promise.allSettled([bump(), bump()]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(GalleyError);
      expect(rejected.reason).toMatchObject({ kind: 'unavailable', retryAfter: 1 });
      expect(ran).toEqual(['rollback']);
    } finally {
      await once.close();
    }
  }, 30_000);

  it('runs a deadlock victim again: two jobs locking two rows in opposite orders both commit', async () => {
    await db.writer.run(async (tx) => {
      await insert(tx.db, 'p', 0);
      await insert(tx.db, 'q', 0);
    });
    let locked = 0;
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    const lockBoth = (first: string, second: string, once: { value: boolean }) =>
      db.writer.run(async (tx) => {
        await tx.db.updateTable('t').set({ n: sql`n + 1` }).where('id', '=', first).execute();
        if (once.value) {
          once.value = false;
          if (++locked === 2) release();
          await bothLocked;
        }
        await tx.db.updateTable('t').set({ n: sql`n + 1` }).where('id', '=', second).execute();
      });
    await Promise.all([lockBoth('p', 'q', { value: true }), lockBoth('q', 'p', { value: true })]);
    const rows = await other.read.selectFrom('t').select(['id', 'n']).where('id', 'in', ['p', 'q']).orderBy('id').execute();
    expect(rows).toEqual([{ id: 'p', n: 2 }, { id: 'q', n: 2 }]);
  }, 30_000);

  it('stops a costly read at its deadline with the 400 a costly filter gets on SQLite', async () => {
    const slow = sql`SELECT pg_sleep(2)`.compile(db.read);
    await expect(db.readAside(slow)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^filter is too complex/) });
    const fast = sql`SELECT 1 AS one`.compile(db.read);
    expect((await db.readAside(fast)).rows).toEqual([{ one: 1 }]);
  });

  it('refuses new jobs once closing (503), after the running ones settle', async () => {
    const closing = await openPostgresDatabase({ url: database.get().url });
    let finish!: () => void;
    let started!: () => void;
    const inJob = new Promise<void>((resolve) => (started = resolve));
    const running = closing.writer.run(async (tx) => {
      await insert(tx.db, 'last');
      started();
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await inJob;
    const closed = closing.close();
    await expect(closing.writer.run(async () => {})).rejects.toMatchObject({ kind: 'unavailable' });
    finish();
    await running;
    await closed;
    expect(await ids()).toEqual(['last']);
  });
});
