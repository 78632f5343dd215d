import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { createConnectionDialect } from './dialect.ts';
import type { SqliteHandle } from './driver.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';

/** A handle whose every statement fails the way a driver reports SQLite errors. */
function failingHandle(code: string, message: string): SqliteHandle {
  const fail = (): never => {
    throw Object.assign(new Error(message), { code });
  };
  return { file: 'x', runtime: 'node', exec: fail, prepare: fail, inTransaction: false, counts: { executed: 0, prepared: 0 }, close: () => {} };
}

describe('reader dialect', () => {
  it('turns busy and I/O errors into GalleyError unavailable, never raw', async () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_RECOVERY', 'SQLITE_IOERR_READ']) {
      const read = new Kysely<any>({ dialect: createConnectionDialect(failingHandle(code, 'database is locked'), () => {}) });
      const err = await read.selectFrom('t').selectAll().execute().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GalleyError);
      expect(err).toMatchObject({ kind: 'unavailable', retryAfter: 1 });
    }
  });

  it('leaves other errors for the caller', async () => {
    const read = new Kysely<any>({ dialect: createConnectionDialect(failingHandle('SQLITE_ERROR', 'no such table: t'), () => {}) });
    await expect(read.selectFrom('t').selectAll().execute()).rejects.toThrow('no such table: t');
  });
});

describe('reader transactions', () => {
  let dir: string;
  let db: OpenedDatabase;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'galley-'));
    db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
    await db.writer.run((tx) => sql`CREATE TABLE t (n INTEGER)`.execute(tx.db));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read transaction sees one snapshot while commits land', async () => {
    const counts = await db.read.transaction().execute(async (trx) => {
      const count = async () => Number((await trx.selectFrom('t').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c);
      const first = await count();
      await db.writer.run((tx) => tx.db.insertInto('t').values({ n: 1 }).execute());
      return [first, await count()];
    });
    expect(counts).toEqual([0, 0]);
    expect(await db.read.selectFrom('t').selectAll().execute()).toEqual([{ n: 1 }]);
  });
});
