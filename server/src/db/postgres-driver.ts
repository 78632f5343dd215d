/**
 * The PostgreSQL runtime seam: the only file that names `pg` (node-postgres), as `driver.ts` is for SQLite.
 * `pg` is imported on first use, so a SQLite app never loads it. Values come back as SQLite's driver gives them:
 * bigint (counts, identities) and numeric as JS numbers, not strings; timestamps are never stored (dates are text).
 */
import type { Pool, PoolConfig } from 'pg';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database?…` */
  readonly url: string;
  /** Most connections the pool opens (default 10). */
  readonly max?: number;
  /** How long a new connection may take before it fails (default 10 s). */
  readonly connectTimeoutMs?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** A connection pool for `url`; nothing connects until the first query. */
export async function createPostgresPool(opts: PostgresPoolOptions): Promise<Pool> {
  const pg = (await import('pg')).default;
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const config: PoolConfig = {
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    types: types as PoolConfig['types'],
    application_name: 'galley',
  };
  const pool = new pg.Pool(config);
  // an idle connection the server dropped (restart, failover) errors on the pool, not on a query: keep the process up
  pool.on('error', () => {});
  return pool;
}
