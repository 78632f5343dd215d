/**
 * PostgreSQL in tests: `describePostgres` runs a suite against the run's throwaway cluster (postgres-cluster.ts),
 * skipped with a message when no PostgreSQL binaries are installed (a failure under CI=true, which installs
 * Debian's `postgresql`); `usePostgresDatabase` gives the calling file a database of its own, dropped after it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { ensureCluster, findPostgresBinDir, type ClusterInfo } from './postgres-cluster.ts';

export const postgresBinDir = findPostgresBinDir();
const required = process.env['CI'] === 'true';

/** `describe` for a suite that needs PostgreSQL. */
export function describePostgres(name: string, body: () => void): void {
  if (!postgresBinDir && !required) {
    console.warn(`${name}: skipped, no PostgreSQL binaries (apt-get install postgresql); under CI=true this fails`);
  }
  describe.skipIf(!postgresBinDir && !required)(name, () => {
    beforeAll(() => {
      if (!postgresBinDir) throw new Error('no PostgreSQL binaries: CI must install them (.ci/run: apt-get install postgresql)');
    });
    body();
  });
}

export interface PostgresTestDatabase {
  readonly url: string;
  readonly name: string;
  readonly cluster: ClusterInfo;
}

const urlOf = (c: ClusterInfo, db: string) => `postgres://${c.user}@${c.host}:${c.port}/${db}`;

/** Run one statement on the cluster's `postgres` database (CREATE/DROP DATABASE cannot run in a transaction). */
async function runAdmin(cluster: ClusterInfo, statement: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: urlOf(cluster, 'postgres') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new empty database on the run's cluster (started by the first caller of the run). */
export async function createPostgresTestDatabase(): Promise<PostgresTestDatabase> {
  if (!postgresBinDir) throw new Error('no PostgreSQL binaries (apt-get install postgresql, or GALLEY_TEST_PG_BIN)');
  const cluster = await ensureCluster(inject('galleyPostgresRunDir'), postgresBinDir);
  const name = `galley_${randomBytes(6).toString('hex')}`;
  await runAdmin(cluster, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  return { url: urlOf(cluster, name), name, cluster };
}

/** Drop a database made by createPostgresTestDatabase, its connections cut. */
export async function dropPostgresTestDatabase(database: PostgresTestDatabase): Promise<void> {
  await runAdmin(database.cluster, `DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
}

/** A fresh database for the calling file (inside a describePostgres); `get()` is valid from its beforeAll on. */
export function usePostgresDatabase(): { get(): PostgresTestDatabase } {
  let current: PostgresTestDatabase | undefined;
  beforeAll(async () => {
    current = await createPostgresTestDatabase();
  }, 120_000);
  afterAll(async () => {
    if (current) await dropPostgresTestDatabase(current);
  });
  return {
    get() {
      if (!current) throw new Error('usePostgresDatabase: no database yet (use it inside a test or a later beforeAll)');
      return current;
    },
  };
}
