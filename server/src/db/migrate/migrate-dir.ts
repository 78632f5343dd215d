/**
 * `galley migrate plan | apply | status | history` on a data directory. They work while a server runs on
 * the same directory: WAL lets them read beside it, and the write waits (busy timeout) for the server's
 * current commit. A plan only reads; on a directory without data.db it creates nothing.
 * With `database` (`--database postgres://…`) the same on PostgreSQL: servers on it follow an apply (NOTIFY).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../config.ts';
import { GalleyError } from '../../errors.ts';
import { loadSchemaSource, type LoadSchemaOptions } from '../../schema/load.ts';
import type { Database } from '../database.ts';
import { openDatabase } from '../open.ts';
import { checkPlan } from './check-plan.ts';
import { listMigrations, readAppliedSchema, type MigrationRecord } from './history.ts';
import { migrateDatabase, previewMigration as previewDatabaseMigration, type MigrateResult } from './migrate-database.ts';
import { planMigration } from './plan.ts';
import { checkViewQueriesInMemory } from './view-check.ts';
import type { CheckedPlan } from './step.ts';

export interface MigrateDirOptions {
  /** the data directory (default: GALLEY_DIR or ./galley_data) */
  dir?: string;
  /** a PostgreSQL URL instead of the directory's data.db (default: GALLEY_DATABASE_URL) */
  database?: string;
  /** the schema file (default: GALLEY_SCHEMA) */
  schemaFile?: string;
  /** how long to wait for a running server's write lock (default 10 s) */
  busyTimeoutMs?: number;
  /** checks of the schema file beyond its own (index.ts passes rules/' compile check, which db/ may not import) */
  loadOptions?: LoadSchemaOptions;
}

export interface MigrationPreview {
  /** data.db's path, or the PostgreSQL URL with its password masked */
  dbFile: string;
  schemaFile: string;
  /** the steps that would run, with every check answered that can be before they run */
  plan: CheckedPlan;
  /** the last migration applied, if any */
  last: MigrationRecord | null;
}

interface Target {
  /** what the output names: data.db's path or the masked URL */
  dbFile: string;
  /** the PostgreSQL URL to connect to, if any */
  url: string | undefined;
  busyTimeoutMs: number;
}

function resolveTarget(opts: Pick<MigrateDirOptions, 'dir' | 'database' | 'busyTimeoutMs'>): Target {
  const config = resolveConfig({ dir: opts.dir, database: opts.database });
  const busyTimeoutMs = opts.busyTimeoutMs ?? 10_000;
  if (config.database) return { dbFile: config.database.url.masked, url: config.database.url.reveal(), busyTimeoutMs };
  return { dbFile: join(config.dir, 'data.db'), url: undefined, busyTimeoutMs };
}

function resolvePaths(opts: MigrateDirOptions): Target & { schemaFile: string } {
  const config = resolveConfig({ dir: opts.dir, schemaFile: opts.schemaFile });
  if (!config.schemaFile) throw new GalleyError('invalid', 'no schema file: pass --schema <file> or set GALLEY_SCHEMA');
  return { ...resolveTarget(opts), schemaFile: config.schemaFile };
}

/** A database for one command: data.db, or PostgreSQL (imported only then). */
async function withDatabase<T>(target: Target, fn: (db: Database) => Promise<T>): Promise<T> {
  const db: Database = target.url
    ? await (await import('../open-postgres-database.ts')).openPostgresDatabase({ url: target.url, max: 2 })
    : openDatabase({ file: target.dbFile, synchronous: 'FULL', busyTimeoutMs: target.busyTimeoutMs });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** What `migrate apply` would do now. */
export async function previewMigration(opts: MigrateDirOptions = {}): Promise<MigrationPreview> {
  const target = resolvePaths(opts);
  const { dbFile, schemaFile } = target;
  const desired = (await loadSchemaSource(schemaFile, { checkViewQueries: checkViewQueriesInMemory, ...opts.loadOptions })).collections;
  if (target.url) {
    return withDatabase(target, async (db) => ({ dbFile, schemaFile, plan: await previewDatabaseMigration(db, desired), last: (await listMigrations(db.read)).at(-1) ?? null }));
  }
  if (!existsSync(dbFile)) {
    const plan = planMigration([], desired);
    return { dbFile, schemaFile, last: null, plan: { ...plan, steps: plan.steps.map((s) => ({ ...s, refused: '', checkedOnApply: false })) } };
  }
  return withDatabase(target, async (db) => {
    const applied = await readAppliedSchema(db.read);
    const plan = await checkPlan(db.read, planMigration(applied?.collections ?? [], desired));
    return { dbFile, schemaFile, plan, last: (await listMigrations(db.read)).at(-1) ?? null };
  });
}

/** Applies the plan in one transaction and records it; throws (applying nothing) when it is refused. */
export async function applyMigration(opts: MigrateDirOptions & { allowDataLoss?: boolean }): Promise<MigrateResult & { dbFile: string; schemaFile: string }> {
  const target = resolvePaths(opts);
  const desired = (await loadSchemaSource(target.schemaFile, { checkViewQueries: checkViewQueriesInMemory, ...opts.loadOptions })).collections;
  const result = await withDatabase(target, (db) => migrateDatabase(db, desired, { allowDataLoss: opts.allowDataLoss }));
  return { ...result, dbFile: target.dbFile, schemaFile: target.schemaFile };
}

/** Every migration applied to the directory's database, oldest first ([] when there is no database). */
export async function listMigrationHistory(opts: Pick<MigrateDirOptions, 'dir' | 'database' | 'busyTimeoutMs'> = {}): Promise<{ dbFile: string; migrations: MigrationRecord[] }> {
  const target = resolveTarget(opts);
  const { dbFile } = target;
  if (!target.url && !existsSync(dbFile)) return { dbFile, migrations: [] };
  return withDatabase(target, async (db) => ({ dbFile, migrations: await listMigrations(db.read) }));
}
