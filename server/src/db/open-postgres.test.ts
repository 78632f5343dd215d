import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase } from '../../test/helpers/postgres.ts';
import { GalleyError } from '../errors.ts';
import { openPostgres, type OpenedPostgres } from './open-postgres.ts';
import { openPostgresDatabase } from './open-postgres-database.ts';

// Also the Node project's only PostgreSQL file (vitest.node.config.ts leaves the parity suites to Bun): the CRUD
// below keeps pg's path under Node covered: pool, write job, numbers as numbers, a unique violation as a field error.

describePostgres('openPostgres: a pg pool behind Kysely on a throwaway cluster', () => {
  const database = usePostgresDatabase();
  let pg: OpenedPostgres;
  beforeAll(async () => {
    pg = await openPostgres({ url: database.get().url, max: 2 });
  });
  afterAll(() => pg?.close());

  it('checks the server version and installs the filter functions', async () => {
    expect(pg.serverVersion).toBeGreaterThanOrEqual(150000);
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM galley_json_each('["a","b"]')`.execute(pg.db);
    // bigint counts come back as numbers, as from SQLite
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('answers a database it cannot reach as unavailable (a 503 on the wire), naming why', async () => {
    const { cluster } = database.get();
    const err = await openPostgres({ url: `postgres://${cluster.user}@${cluster.host}:${cluster.port}/no_such_db` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GalleyError);
    expect((err as GalleyError).kind).toBe('unavailable');
    expect((err as GalleyError).message).toMatch(/no_such_db/);
  });

  it('creates, reads, updates and deletes a row through the write path', async () => {
    const db = await openPostgresDatabase({ url: database.get().url, max: 2 });
    try {
      await db.writer.run((tx) => sql`CREATE TABLE smoke (id text PRIMARY KEY, n double precision NOT NULL)`.execute(tx.db));
      await db.writer.run((tx) => tx.db.insertInto('smoke').values({ id: 'a', n: 1.5 }).execute());
      expect(await db.read.selectFrom('smoke').selectAll().execute()).toEqual([{ id: 'a', n: 1.5 }]);
      const taken = await db.writer.run((tx) => tx.db.insertInto('smoke').values({ id: 'a', n: 2 }).execute()).catch((e: unknown) => e);
      expect((taken as GalleyError).issues).toMatchObject({ id: { code: 'validation_not_unique' } });
      await db.writer.run((tx) => tx.db.updateTable('smoke').set({ n: 3 }).where('id', '=', 'a').execute());
      const { rows } = await sql<{ n: number; total: number }>`SELECT n, count(*) OVER () AS total FROM smoke`.execute(db.read);
      expect(rows).toEqual([{ n: 3, total: 1 }]);
      await db.writer.run((tx) => tx.db.deleteFrom('smoke').where('id', '=', 'a').execute());
      expect(await db.read.selectFrom('smoke').selectAll().execute()).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
