import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GalleyError } from './errors.ts';
import { parseDatabaseUrl, type DatabaseUrl } from './lib/database-url.ts';

export type SyncMode = 'FULL' | 'NORMAL';

/** Everything createGalley and `galley serve` can be told, after defaults and environment are applied. */
export interface Config {
  /** data directory (data.db, aux.db, storage/, backups/) */
  readonly dir: string;
  /** path of the schema file, if the schema came from a file */
  readonly schemaFile: string | undefined;
  /** host:port to listen on */
  readonly http: string;
  readonly synchronous: SyncMode;
  /** ms SQLite waits on a lock before SQLITE_BUSY (→ 503) */
  readonly busyTimeoutMs: number;
  /** bytes; PocketBase's default is 32 MiB */
  readonly maxBodySize: number;
  /** bytes: the largest body POST /api/backups/upload takes (streamed to disk, never held in memory); 16 GiB */
  readonly maxBackupUploadSize: number;
  readonly dev: boolean;
  /** the collections API may write (and writes back to the schema file); always on with `dev` */
  readonly allowCollectionWrites: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** ms a SQL console query (POST /api/sql, dry-run-view) may run before it is stopped; PocketBase: 3 minutes */
  readonly sqlTimeoutMs: number;
  /** the dashboard served at /_/: its built files in a directory (admin-ui/dist) … */
  readonly dashboardDir: string | undefined;
  /** … or as a map of relative path → readable file path (the binary's embedded files); wins over the directory */
  readonly dashboardFiles: Readonly<Record<string, string>> | undefined;
  /**
   * PostgreSQL instead of `<dir>/data.db` (docs/postgresql.md): its URL (printed masked only) and the most
   * connections this server's pool opens. Undefined: SQLite, as always.
   */
  readonly database: { readonly url: DatabaseUrl; readonly poolSize: number } | undefined;
}

export interface ConfigInput {
  dir?: string;
  schemaFile?: string;
  http?: string;
  synchronous?: SyncMode;
  busyTimeoutMs?: number;
  maxBodySize?: number;
  maxBackupUploadSize?: number;
  dev?: boolean;
  allowCollectionWrites?: boolean;
  logLevel?: Config['logLevel'];
  sqlTimeoutMs?: number;
  dashboardDir?: string;
  dashboardFiles?: Readonly<Record<string, string>>;
  /** `postgres://user:password@host:5432/database`: serve from PostgreSQL (default: SQLite in `dir`) */
  database?: string;
  /** most connections to PostgreSQL this server opens (default 10) */
  poolSize?: number;
}

/** Environment variables, each the twin of a `galley serve` flag. */
export const ENV = {
  dir: 'GALLEY_DIR',
  schemaFile: 'GALLEY_SCHEMA',
  http: 'GALLEY_HTTP',
  synchronous: 'GALLEY_SYNCHRONOUS',
  logLevel: 'GALLEY_LOG_LEVEL',
  allowCollectionWrites: 'GALLEY_ALLOW_COLLECTION_WRITES',
  sqlTimeoutMs: 'GALLEY_SQL_TIMEOUT_MS',
  maxBackupUploadSize: 'GALLEY_BACKUP_UPLOAD_MAX_SIZE',
  database: 'GALLEY_DATABASE_URL',
  poolSize: 'GALLEY_POOL_SIZE',
} as const;

/** PostgreSQL connections a server opens unless told (`--pool-size`). */
export const DEFAULT_POOL_SIZE = 10;

export function resolveConfig(input: ConfigInput, env: Record<string, string | undefined> = process.env): Config {
  const sync = (input.synchronous ?? env[ENV.synchronous] ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') {
    throw new GalleyError('invalid', `synchronous: "${sync}" is not supported; use FULL (default) or NORMAL`);
  }
  const logLevel = (input.logLevel ?? env[ENV.logLevel] ?? 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new GalleyError('invalid', `log level: "${logLevel}" is not one of debug, info, warn, error`);
  }
  const schemaFile = input.schemaFile ?? env[ENV.schemaFile];
  return Object.freeze({
    dir: resolve(input.dir ?? env[ENV.dir] ?? './galley_data'),
    schemaFile: schemaFile ? resolve(schemaFile) : undefined,
    http: input.http ?? env[ENV.http] ?? '127.0.0.1:8090',
    synchronous: sync,
    busyTimeoutMs: input.busyTimeoutMs ?? 5000,
    maxBodySize: input.maxBodySize ?? 32 * 1024 * 1024,
    maxBackupUploadSize: readByteCount('backup upload limit', input.maxBackupUploadSize ?? env[ENV.maxBackupUploadSize], 16 * 1024 ** 3),
    dev: input.dev ?? false,
    allowCollectionWrites: input.allowCollectionWrites ?? ['1', 't', 'true', 'TRUE', 'True'].includes(env[ENV.allowCollectionWrites] ?? ''),
    logLevel,
    sqlTimeoutMs: readSqlTimeout(input.sqlTimeoutMs ?? env[ENV.sqlTimeoutMs]),
    dashboardDir: input.dashboardDir ? checkDashboardDir(resolve(input.dashboardDir)) : undefined,
    dashboardFiles: input.dashboardFiles,
    database: readDatabase(input.database ?? env[ENV.database], input.poolSize ?? env[ENV.poolSize]),
  });
}

function readDatabase(url: string | undefined, poolSize: number | string | undefined): Config['database'] {
  // a pool size alone changes nothing: SQLite has no pool
  if (url === undefined || url.trim() === '') return undefined;
  const parsed = parseDatabaseUrl(url);
  if ('problem' in parsed) throw new GalleyError('invalid', `database: the URL ${parsed.problem}`);
  const size = poolSize === undefined || poolSize === '' ? DEFAULT_POOL_SIZE : Number(poolSize);
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new GalleyError('invalid', `pool size: "${poolSize}" is not a whole number from 1 to 1000`);
  return Object.freeze({ url: parsed, poolSize: size });
}

/** wire: PocketBase's runSQLMaxTimeout is 3 minutes. */
function readSqlTimeout(value: number | string | undefined): number {
  if (value === undefined || value === '') return 3 * 60 * 1000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1) throw new GalleyError('invalid', `SQL console timeout: "${value}" is not a whole number of milliseconds ≥ 1`);
  return ms;
}

function readByteCount(what: string, value: number | string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new GalleyError('invalid', `${what}: "${value}" is not a whole number of bytes ≥ 1`);
  return n;
}

/** Checked before anything opens: a dashboard directory holds a build (its index.html). */
function checkDashboardDir(dir: string): string {
  if (!existsSync(join(dir, 'index.html'))) throw new GalleyError('invalid', `dashboardDir: ${dir} has no index.html (build it: npm run build, or cd admin-ui && npx vite build)`);
  return dir;
}
