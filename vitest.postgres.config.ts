// The core suite a third time, on PostgreSQL (issue 17), under Bun: the test files that start their Galley through
// the shared helpers (startTestGalley, startAuthGalley, … : server/test/helpers/test-database.ts) run again with
// GALLEY_TEST_DATABASE=postgres, each Galley on a new database of the run's cluster. Files that make their Galley
// with createGalley themselves are not in this run; the helpers' files that are SQLite-specific by nature, known
// to fail on PostgreSQL or blind to the database are left out below, each with its reason (docs/postgresql.md lists
// them too).
// A stage of npm test (after the Bun project, in its lane: scripts/test.ts); alone: npm run test:postgres [-- files]. Figures in docs/postgresql.md
import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import bunConfig from './vitest.bun.config.ts';

/** How a test file starts a Galley through a shared helper (the helpers pass the test database on). */
const STARTS_THROUGH_A_HELPER = /\b(startTestGalley|startAuthGalley|startFilesGalley|startFileGalley|startRealtimeWorld|startBatchGalley|startOAuth2Env)\(/;

/** SQLite by nature: what they test does not exist on PostgreSQL (or is refused there on purpose). */
export const SQLITE_ONLY: Record<string, string> = {
  'server/test/statement-count.test.ts': "counts SQLite's prepared statements (Database.statementCounts); the PostgreSQL Database has no such counter",
  'server/test/backups/archive.test.ts': 'backups archive data.db; on PostgreSQL backups answer 400 naming pg_dump (serve-postgres.test.ts)',
  'server/test/backups/verify-archive-input.test.ts': 'backups archive data.db (as above)',
  'server/test/logs/log-secrets.test.ts': "reads aux.db's log tables; on PostgreSQL the logs are the _logs table (serve-postgres.test.ts)",
};

/** Fail on PostgreSQL today: a product gap or a test that reads SQLite directly. Fix one, then remove it here and in docs/postgresql.md. */
export const KNOWN_FAILURES: Record<string, string> = {
  'server/test/bad-input.routes.test.ts': "a text value holding a NUL byte: PostgreSQL's text cannot hold U+0000, so it is refused (400) where SQLite stores it",
  'server/test/auth/settings.routes.test.ts': 'starts a second Galley on the database while the first runs with files on local disk: refused on PostgreSQL by design (the files lock)',
  'server/test/files-upload/durability.test.ts': 'the orphan sweep on PostgreSQL leaves files younger than an hour (SHARED_STORAGE_GRACE_MS) by design; the test sweeps fresh orphans',
};

/**
 * What they prove does not touch the database beyond one row read: a third run on PostgreSQL repeats the Bun run's
 * proof at CI's cost (the Node run keeps each one's other runtime).
 */
export const DATABASE_BLIND: Record<string, string> = {
  'server/test/auth/login-flood.test.ts': "the password-hashing queue and the process's memory under a flood of logins; each login reads one user row",
};

const leftOut = new Set([...Object.keys(SQLITE_ONLY), ...Object.keys(KNOWN_FAILURES), ...Object.keys(DATABASE_BLIND)]);

export const POSTGRES_RUN_FILES = readdirSync(new URL('server/test', import.meta.url), { recursive: true, encoding: 'utf8' })
  .map((path) => `server/test/${path}`)
  .filter((file) => file.endsWith('.test.ts') && !file.startsWith('server/test/postgres/') && !leftOut.has(file))
  .filter((file) => STARTS_THROUGH_A_HELPER.test(readFileSync(new URL(file, import.meta.url), 'utf8')))
  .sort();

// not mergeConfig: it would append this include to the Bun project's instead of replacing it
export default defineConfig({
  ...bunConfig,
  test: { ...bunConfig.test, include: POSTGRES_RUN_FILES, env: { GALLEY_TEST_DATABASE: 'postgres' } },
});
