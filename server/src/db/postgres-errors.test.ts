import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase } from '../../test/helpers/postgres.ts';
import { GalleyError } from '../errors.ts';
import { openPostgres, type OpenedPostgres } from './open-postgres.ts';
import { mapPostgresError } from './postgres-errors.ts';

const failure = (p: Promise<unknown>) => p.then(() => new Error('no error'), (e: unknown) => e);

describePostgres('PostgreSQL errors → GalleyError (real server errors)', () => {
  const database = usePostgresDatabase();
  let pg: OpenedPostgres;
  beforeAll(async () => {
    pg = await openPostgres({ url: database.get().url, max: 1 });
    await sql`CREATE TABLE posts (id text PRIMARY KEY, slug text UNIQUE, title text NOT NULL, views double precision)`.execute(pg.db);
    await sql`INSERT INTO posts VALUES ('p1', 'hello', 'Hello', 1)`.execute(pg.db);
  });
  afterAll(() => pg?.close());

  it('a unique violation names its column with PocketBase code (validation_not_unique)', async () => {
    const err = mapPostgresError(await failure(sql`INSERT INTO posts VALUES ('p2', 'hello', 'x', 0)`.execute(pg.db)));
    expect(err?.kind).toBe('invalid');
    expect(err?.issues).toEqual({ slug: { code: 'validation_not_unique', message: 'Value must be unique.' } });
  });

  it('a unique violation of a NOCASE index (lower(col) on PostgreSQL) names its column, as SQLite does', async () => {
    await sql`CREATE TABLE members (id text PRIMARY KEY, email text, code text)`.execute(pg.db);
    await sql`CREATE UNIQUE INDEX members_email ON members ((lower(email)), (rtrim(code, ' ')))`.execute(pg.db);
    await sql`INSERT INTO members VALUES ('m1', 'Ann@x.io', 'a, b')`.execute(pg.db);
    const err = mapPostgresError(await failure(sql`INSERT INTO members VALUES ('m2', 'ann@X.io', 'a, b  ')`.execute(pg.db)));
    expect(err?.issues).toEqual({
      email: { code: 'validation_not_unique', message: 'Value must be unique.' },
      code: { code: 'validation_not_unique', message: 'Value must be unique.' },
    });
    await sql`CREATE UNIQUE INDEX members_expr ON members ((email || code))`.execute(pg.db);
    await sql`DROP INDEX members_email`.execute(pg.db);
    const other = mapPostgresError(await failure(sql`INSERT INTO members VALUES ('m3', 'Ann@x.io', 'a, b')`.execute(pg.db)));
    expect(other).toMatchObject({ kind: 'invalid', issues: {} });
  });

  it('a missing required value names its column (validation_required)', async () => {
    const err = mapPostgresError(await failure(sql`INSERT INTO posts (id, slug) VALUES ('p3', 'other')`.execute(pg.db)));
    expect(err?.issues).toEqual({ title: { code: 'validation_required', message: 'Cannot be blank.' } });
  });

  it('a value PostgreSQL cannot convert for a comparison is a 400, not a 500', async () => {
    const err = mapPostgresError(await failure(sql`SELECT id FROM posts WHERE views < ${'abc'}`.execute(pg.db)));
    expect([err?.kind, err?.message]).toEqual(['invalid', 'The filter compares a value with a field of another type that PostgreSQL cannot convert it to.']);
  });

  it('a connection the server ended is unavailable (503 + Retry-After), and the pool reconnects for the next query', async () => {
    const admin = await openPostgres({ url: database.get().url, max: 1 });
    // ended while checked out (inside a transaction), so no idle-client check can hide it
    const err = await failure(
      pg.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(admin.db);
        await sql`SELECT 1`.execute(trx);
      }),
    );
    await admin.close();
    expect(err).toBeInstanceOf(GalleyError);
    expect([(err as GalleyError).kind, (err as GalleyError).retryAfter]).toEqual(['unavailable', 1]);
    const again = await sql<{ n: number }>`SELECT 1 AS n`.execute(pg.db);
    expect(again.rows).toEqual([{ n: 1 }]);
  });

  it('a server that refuses connections is unavailable (503 + Retry-After)', async () => {
    const { cluster } = database.get();
    // port 1: privileged and unused, so the connection is refused
    const err = await failure(openPostgres({ url: `postgres://${cluster.user}@127.0.0.1:1/${database.get().name}`, connectTimeoutMs: 2000 }));
    expect(err).toBeInstanceOf(GalleyError);
    expect([(err as GalleyError).kind, (err as GalleyError).retryAfter]).toEqual(['unavailable', 1]);
    expect((err as GalleyError).message).toMatch(/ECONNREFUSED/);
  });

  it('leaves what it does not know to the caller (null), and ignores non-errors', () => {
    expect(mapPostgresError(Object.assign(new Error('x'), { code: '42P01' }))).toBeNull();
    expect(mapPostgresError('nope')).toBeNull();
  });
});
