import { Option } from 'commander';

// Environment variable names are the twins of the flags, as server/src/config.ts ENV lists them.
export const ENV_DIR = 'GALLEY_DIR';
export const ENV_HTTP = 'GALLEY_HTTP';
export const ENV_SCHEMA = 'GALLEY_SCHEMA';
export const ENV_SYNCHRONOUS = 'GALLEY_SYNCHRONOUS';

/** `--dir`, shared by every command that opens the data directory. */
export function createDirOption(): Option {
  return new Option('--dir <path>', 'the data directory (data.db, storage/, backups/)')
    .default('./galley_data')
    .env(ENV_DIR);
}

export const ENV_DATABASE_URL = 'GALLEY_DATABASE_URL';

/** `--database`: PostgreSQL instead of the data directory's SQLite (serve, superuser). */
export function createDatabaseOption(): Option {
  return new Option('--database <url>', 'serve from PostgreSQL 15+ (postgres://user:password@host:5432/db) instead of <dir>/data.db; the URL is never printed').env(ENV_DATABASE_URL);
}
