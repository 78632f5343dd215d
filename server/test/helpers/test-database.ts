/**
 * The database a test Galley runs on. By default SQLite in its data dir; under GALLEY_TEST_DATABASE=postgres (the
 * core suite's PostgreSQL run, vitest.postgres.config.ts) every Galley the shared helpers start gets a new database
 * of the run's PostgreSQL cluster instead. The database is named in a file inside the data dir, so a test that
 * restarts a Galley on the same dir finds the same data again, as it would in data.db; it is dropped when the helper
 * removes the dir (the cluster goes at the end of the run either way).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPostgresTestDatabase, dropPostgresTestDatabase, type PostgresTestDatabase } from './postgres.ts';

export const TEST_DATABASE_ENV = 'GALLEY_TEST_DATABASE';

/** Whether this run starts test Galleys on PostgreSQL. */
export const testsOnPostgres = process.env[TEST_DATABASE_ENV] === 'postgres';

const MARKER = 'test-database.json';

/** `createGalley`'s `database` for a Galley on `dir` (undefined: SQLite in the dir). `dir` must exist. */
export async function testDatabaseFor(dir: string): Promise<string | undefined> {
  if (!testsOnPostgres) return undefined;
  const marker = join(dir, MARKER);
  if (existsSync(marker)) return (JSON.parse(readFileSync(marker, 'utf8')) as PostgresTestDatabase).url;
  const database = await createPostgresTestDatabase();
  writeFileSync(marker, JSON.stringify(database));
  return database.url;
}

/** Drop the database `dir` names, if any; call before removing the dir. */
export async function dropTestDatabaseOf(dir: string): Promise<void> {
  const marker = join(dir, MARKER);
  if (!existsSync(marker)) return;
  await dropPostgresTestDatabase(JSON.parse(readFileSync(marker, 'utf8')) as PostgresTestDatabase);
}
