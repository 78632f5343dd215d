/**
 * The PostgreSQL runtime seam: the only file that names `pg` (node-postgres), as `driver.ts` is for SQLite.
 * `pg` is imported on first use, so a SQLite app never loads it. Values come back as SQLite's driver gives them:
 * bigint (counts, identities) and numeric as JS numbers, not strings; timestamps are never stored (dates are text).
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { mapPostgresError } from './postgres-errors.ts';

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

/** A lost, refused or overloaded server is never passed on raw (→ 503 + Retry-After); the rest stays for the caller. */
function rethrowUnavailable(err: unknown): never {
  const mapped = mapPostgresError(err);
  throw mapped?.kind === 'unavailable' ? mapped : err;
}

/** The pool as Kysely's PostgresDialect takes it, its connection and query errors classified on the way. */
export function toKyselyPool(pool: Pool): PostgresPool {
  const wrap = (client: PoolClient): PostgresPoolClient => {
    // a connection that failed is destroyed on release, never handed out again; while it is checked out its
    // socket errors are ours to hear (an 'error' nobody listens to would end the process)
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    const fail = (err: unknown): never => {
      if (mapPostgresError(err)?.kind === 'unavailable') broken = true;
      return rethrowUnavailable(err);
    };
    return {
      query: ((text: unknown, params?: readonly unknown[]) =>
        typeof text === 'string' ? client.query(text, params as unknown[]).catch(fail) : client.query(text as never)) as unknown as PostgresPoolClient['query'],
      release: () => {
        client.off('error', onError);
        client.release(broken);
      },
    };
  };
  return {
    connect: () => pool.connect().then(wrap, rethrowUnavailable),
    end: () => pool.end(),
  };
}

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

/** What db/postgres-listener.ts needs of one dedicated connection (LISTEN, session advisory locks). */
export interface PostgresSession {
  query(text: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** a NOTIFY on a channel this session listens to */
  onNotification(fn: (channel: string, payload: string) => void): void;
  /** the connection broke (server restart, network): the session is gone, with its LISTENs and locks */
  onLost(fn: (err: unknown) => void): void;
  end(): Promise<void>;
}

/** One connection outside the pool, held for as long as the server runs: LISTEN and session locks live on it. */
export async function connectPostgresSession(url: string, applicationName: string, connectTimeoutMs = 10_000): Promise<PostgresSession> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
  let lost: ((err: unknown) => void) | undefined;
  let ended = false;
  const fail = (err: unknown) => {
    if (ended) return;
    ended = true;
    lost?.(err);
  };
  // an 'error' nobody listens to would end the process
  client.on('error', fail);
  client.on('end', () => fail(new Error('the connection ended')));
  try {
    await client.connect();
  } catch (err) {
    ended = true;
    rethrowUnavailable(err);
  }
  return {
    query: (text, params) => client.query(text, params as unknown[]).catch(rethrowUnavailable) as Promise<{ rows: Record<string, unknown>[] }>,
    onNotification: (fn) => void client.on('notification', (msg) => fn(msg.channel, msg.payload ?? '')),
    onLost: (fn) => void (lost = fn),
    end: async () => {
      ended = true;
      await client.end().catch(() => undefined);
    },
  };
}
