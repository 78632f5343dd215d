/**
 * `galley migrate plan | apply | status | history` on a data directory. They work while a server runs on
 * the same directory: WAL lets them read beside it, and the write waits (busy timeout) for the server's
 * current commit. A plan only reads; on a directory without data.db it creates nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../config.ts';
import { GalleyError } from '../../errors.ts';
import { loadSchemaSource, type LoadSchemaOptions } from '../../schema/load.ts';
import { openDatabase, type OpenedDatabase } from '../open.ts';
import { checkPlan } from './check-plan.ts';
import { listMigrations, readAppliedSchema, type MigrationRecord } from './history.ts';
import { migrateDatabase, type MigrateResult } from './migrate-database.ts';
import { planMigration } from './plan.ts';
import { checkViewQueriesInMemory } from './view-check.ts';
import type { CheckedPlan } from './step.ts';

export interface MigrateDirOptions {
  /** the data directory (default: GALLEY_DIR or ./galley_data) */
  dir?: string;
  /** the schema file (default: GALLEY_SCHEMA) */
  schemaFile?: string;
  /** how long to wait for a running server's write lock (default 10 s) */
  busyTimeoutMs?: number;
  /** checks of the schema file beyond its own (index.ts passes rules/' compile check, which db/ may not import) */
  loadOptions?: LoadSchemaOptions;
}

export interface MigrationPreview {
  dbFile: string;
  schemaFile: string;
  /** the steps that would run, with every check answered that can be before they run */
  plan: CheckedPlan;
  /** the last migration applied, if any */
  last: MigrationRecord | null;
}

function resolvePaths(opts: MigrateDirOptions): { dbFile: string; schemaFile: string; busyTimeoutMs: number } {
  const config = resolveConfig({ dir: opts.dir, schemaFile: opts.schemaFile });
  if (!config.schemaFile) throw new GalleyError('invalid', 'no schema file: pass --schema <file> or set GALLEY_SCHEMA');
  return { dbFile: join(config.dir, 'data.db'), schemaFile: config.schemaFile, busyTimeoutMs: opts.busyTimeoutMs ?? 10_000 };
}

async function withDatabase<T>(dbFile: string, busyTimeoutMs: number, fn: (db: OpenedDatabase) => Promise<T>): Promise<T> {
  const db = openDatabase({ file: dbFile, synchronous: 'FULL', busyTimeoutMs });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** What `migrate apply` would do now. */
export async function previewMigration(opts: MigrateDirOptions = {}): Promise<MigrationPreview> {
  const { dbFile, schemaFile, busyTimeoutMs } = resolvePaths(opts);
  const desired = (await loadSchemaSource(schemaFile, { checkViewQueries: checkViewQueriesInMemory, ...opts.loadOptions })).collections;
  if (!existsSync(dbFile)) {
    const plan = planMigration([], desired);
    return { dbFile, schemaFile, last: null, plan: { ...plan, steps: plan.steps.map((s) => ({ ...s, refused: '', checkedOnApply: false })) } };
  }
  return withDatabase(dbFile, busyTimeoutMs, async (db) => {
    const applied = await readAppliedSchema(db.read);
    const plan = await checkPlan(db.read, planMigration(applied?.collections ?? [], desired));
    return { dbFile, schemaFile, plan, last: (await listMigrations(db.read)).at(-1) ?? null };
  });
}

/** Applies the plan in one transaction and records it; throws (applying nothing) when it is refused. */
export async function applyMigration(opts: MigrateDirOptions & { allowDataLoss?: boolean }): Promise<MigrateResult & { dbFile: string; schemaFile: string }> {
  const { dbFile, schemaFile, busyTimeoutMs } = resolvePaths(opts);
  const desired = (await loadSchemaSource(schemaFile, { checkViewQueries: checkViewQueriesInMemory, ...opts.loadOptions })).collections;
  const result = await withDatabase(dbFile, busyTimeoutMs, (db) => migrateDatabase(db, desired, { allowDataLoss: opts.allowDataLoss }));
  return { ...result, dbFile, schemaFile };
}

/** Every migration applied to the directory's database, oldest first ([] when there is no database). */
export async function listMigrationHistory(opts: Pick<MigrateDirOptions, 'dir' | 'busyTimeoutMs'> = {}): Promise<{ dbFile: string; migrations: MigrationRecord[] }> {
  const dbFile = join(resolveConfig({ dir: opts.dir }).dir, 'data.db');
  if (!existsSync(dbFile)) return { dbFile, migrations: [] };
  return withDatabase(dbFile, opts.busyTimeoutMs ?? 10_000, async (db) => ({ dbFile, migrations: await listMigrations(db.read) }));
}
