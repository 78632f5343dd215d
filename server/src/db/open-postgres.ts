/**
 * Opens a PostgreSQL database as Galley will use it (issue 17, first slice): a Kysely over a `pg` pool (Kysely's
 * own PostgresDialect), the server version checked (15+), and the filter dialect's functions installed
 * (`query/postgres-dialect.ts`). Not yet behind `galley serve`: docs/postgresql.md says what comes next.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { GalleyError } from '../errors.ts';
import { POSTGRES_FILTER_FUNCTIONS } from '../query/postgres-dialect.ts';
import { POSTGRES_SCHEMA_LOCK, POSTGRES_SCHEMA_SETUP } from './postgres-ddl.ts';
import { createPostgresPool, toKyselyPool, type PostgresPoolOptions } from './postgres-driver.ts';

export const MIN_POSTGRES_VERSION = 150000;

export interface OpenedPostgres {
  readonly db: Kysely<any>;
  /** `server_version_num`, e.g. 150014 */
  readonly serverVersion: number;
  close(): Promise<void>;
}

export async function openPostgres(opts: PostgresPoolOptions): Promise<OpenedPostgres> {
  const pool = await createPostgresPool(opts);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: toKyselyPool(pool) }) });
  try {
    const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version_num') AS v`.execute(db);
    const serverVersion = Number(rows[0]?.v);
    if (!(serverVersion >= MIN_POSTGRES_VERSION)) {
      throw new GalleyError('invalid', `PostgreSQL ${MIN_POSTGRES_VERSION / 10000} or newer is needed (the server is ${rows[0]?.v})`);
    }
    // two instances starting at once would race on CREATE OR REPLACE FUNCTION ("tuple concurrently updated")
    await runUnderPostgresSchemaLock(db, (tx) => sql.raw(POSTGRES_FILTER_FUNCTIONS + POSTGRES_SCHEMA_SETUP).execute(tx));
    return { db, serverVersion, close: () => db.destroy() };
  } catch (err) {
    await db.destroy();
    if (err instanceof GalleyError && err.kind !== 'unavailable') throw err;
    // say why (refused, no such database, bad password…), never the URL (it may hold the password)
    const cause = err instanceof GalleyError ? err.cause : err;
    throw new GalleyError('unavailable', `cannot open the PostgreSQL database: ${(cause as Error).message}`, { cause, retryAfter: 1 });
  }
}

/**
 * `job` in one transaction holding the schema lock (an advisory lock released at COMMIT or ROLLBACK): one
 * instance sets up or migrates the database at a time, the others wait for it, then see what it committed.
 */
export function runUnderPostgresSchemaLock<T>(db: Kysely<any>, job: (tx: Kysely<any>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(POSTGRES_SCHEMA_LOCK)})`.execute(tx);
    return job(tx);
  });
}
