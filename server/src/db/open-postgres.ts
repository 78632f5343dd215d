/**
 * Opens a PostgreSQL database as Galley will use it (issue 17, first slice): a Kysely over a `pg` pool (Kysely's
 * own PostgresDialect), the server version checked (15+), and the filter dialect's functions installed
 * (`query/postgres-dialect.ts`). Not yet behind `galley serve`: docs/postgresql.md says what comes next.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { GalleyError } from '../errors.ts';
import { POSTGRES_FILTER_FUNCTIONS } from '../query/postgres-dialect.ts';
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
    await sql.raw(POSTGRES_FILTER_FUNCTIONS).execute(db);
    return { db, serverVersion, close: () => db.destroy() };
  } catch (err) {
    await db.destroy();
    if (err instanceof GalleyError && err.kind !== 'unavailable') throw err;
    // say why (refused, no such database, bad password…), never the URL (it may hold the password)
    const cause = err instanceof GalleyError ? err.cause : err;
    throw new GalleyError('unavailable', `cannot open the PostgreSQL database: ${(cause as Error).message}`, { cause, retryAfter: 1 });
  }
}
