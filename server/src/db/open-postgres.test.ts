import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase } from '../../test/helpers/postgres.ts';
import { GalleyError } from '../errors.ts';
import { openPostgres, type OpenedPostgres } from './open-postgres.ts';

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
});
