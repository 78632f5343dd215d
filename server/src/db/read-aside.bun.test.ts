// db.readAside under Bun, where the reader worker loads: the main thread stays free while a read runs, and a
// read past its deadline fails with a clear 400 while the next one gets a fresh worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';
import { createReadAside } from './read-aside.ts';

/** Counts to `n` in SQLite on one thread: about 0.12 s per million here. */
const countTo = (n: number) =>
  CompiledQuery.raw('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c', [n]);

let dir = '';
let db: OpenedDatabase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-aside-'));
  db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000, costlyReadDeadlineMs: 1000 });
  await db.readAside(countTo(1)); // the worker's start is not what these tests time
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('db.readAside on a worker', () => {
  it('leaves the event loop free while a read runs', async () => {
    let done = false;
    const read = db.readAside(countTo(300_000)).finally(() => (done = true));
    let turns = 0;
    // a timer fires, turn after turn, while the worker counts
    while (!done && turns < 10_000) {
      await new Promise((r) => setTimeout(r, 1));
      turns++;
    }
    expect((await read).rows).toEqual([{ n: 300_000 }]);
    expect(turns).toBeGreaterThan(1);
  });

  it('stops waiting at the deadline with a 400, and the next read gets a fresh worker', async () => {
    let turnsWhileRunning = 0;
    let settled = false;
    const slow = db.readAside(countTo(30_000_000)).then(
      () => null,
      (e: unknown) => e,
    );
    void slow.finally(() => (settled = true));
    while (!settled) {
      await new Promise((r) => setTimeout(r, 5));
      turnsWhileRunning++;
    }
    const err = await slow;
    expect(err).toBeInstanceOf(GalleyError);
    expect(err).toMatchObject({ kind: 'invalid', message: 'filter is too complex: the query did not finish within 1 s and was stopped' });
    expect(turnsWhileRunning).toBeGreaterThan(1);
    expect((await db.readAside(countTo(10))).rows).toEqual([{ n: 10 }]);
  });
});

describe('read-aside limits', () => {
  it('a read queued behind one that overruns fails with a 503; replaced workers still finishing are bounded', async () => {
    const aside = createReadAside({ file: join(dir, 'data.db'), busyTimeoutMs: 1000, deadlineMs: 300, maxStragglers: 1 });
    const inline = () => Promise.reject(new Error('no inline fallback expected under Bun'));
    const run = (q: CompiledQuery) => aside.run(q.sql, q.parameters, inline).then((rows) => rows, (e: unknown) => e);
    try {
      expect(await run(countTo(3))).toEqual([{ n: 3 }]);
      expect(aside.mode).toBe('worker');
      const [slow, queued] = await Promise.all([run(countTo(10_000_000)), run(countTo(3))]);
      expect(slow).toMatchObject({ kind: 'invalid', message: expect.stringContaining('did not finish within 0.3 s') });
      expect(queued).toMatchObject({ kind: 'unavailable', message: 'too many complex queries are running; try again later' });
      // the replaced worker is still counting: with maxStragglers 1 new reads are refused until it ends
      expect(await run(countTo(3))).toMatchObject({ kind: 'unavailable' });
      let answer: unknown;
      for (let i = 0; i < 200; i++) {
        answer = await run(countTo(3));
        if (Array.isArray(answer)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toEqual([{ n: 3 }]);
    } finally {
      await aside.close();
    }
  }, 30_000);
});
