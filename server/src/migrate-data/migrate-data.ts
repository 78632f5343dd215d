/**
 * `galley migrate-data --from A --to B` (issue 17): an app copied from a data directory to PostgreSQL or back.
 * The source's applied schema is applied to the target by the migrations (migrateDatabase: the target's own
 * DDL, its history one migration), then in one write job on the target: every collection's rows (system ones
 * too: superusers, external auths, MFAs, OTPs, auth origins) streamed in `_rowid_` order, and the key store
 * (settings, token secrets, collection times). Then each collection is counted on both sides: a difference is
 * reported, and the CLI exits 1 on it.
 *
 * Refused: no server may run on either side (data-endpoint.ts); a PostgreSQL target refuses a collection or
 * index named as a table PostgreSQL keeps for Galley (`_logs`); the target must hold no records (no `--force`:
 * merging two apps collides on ids and unique fields, and emptying a database is the operator's explicit act).
 * A target with a schema but no records is fine: it is migrated to the source's. Not copied: request logs and
 * cron history (aux.db, or `_logs` and `_galley_cron_runs`), the migration history, files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { PARAMS_TABLE } from '../db/meta-tables.ts';
import { readAppliedSchema } from '../db/migrate/history.ts';
import { migrateDatabase } from '../db/migrate/migrate-database.ts';
import { listTableColumns } from '../db/migrate/plan-columns.ts';
import { START_KEY_PARAM } from '../db/migrate/start-key.ts';
import { GalleyError } from '../errors.ts';
import { buildRuleCompileCheck } from '../rules/check-rule-compiles.ts';
import { listRuleTexts } from '../schema/check-rules.ts';
import { buildSchema, type CollectionModel } from '../schema/model.ts';
import { listReservedNameClashes, POSTGRES_RESERVED_NAMES } from '../schema/reserved-names.ts';
import { copyTableRows } from './copy-rows.ts';
import { describeEndpoint, openDataEndpoint, type DataEndpoint } from './data-endpoint.ts';

export interface MigrateDataOptions {
  /** a data directory or a postgres:// URL */
  from: string;
  to: string;
  /** rows read per page (default 500) */
  pageRows?: number;
  /** after each page of a collection, and once when it is done */
  onProgress?: (p: CopyProgress) => void;
}

export interface CopyProgress {
  collection: string;
  copied: number;
  /** the source's rows when the copy began */
  total: number;
  done: boolean;
}

export interface CollectionCount {
  name: string;
  source: number;
  target: number;
}

export interface MigrateDataReport {
  /** the directory or the masked URL */
  from: string;
  to: string;
  /** migration steps the target ran to take the source's schema */
  schemaSteps: number;
  /** every collection with a table, counted on both sides after the copy */
  counts: CollectionCount[];
  mismatches: CollectionCount[];
  /** `_galley_params` rows copied (settings, token secrets, collection times) */
  params: number;
  /** where the app's files are: nothing was copied */
  files: FilesNote;
}

export type FilesNote =
  | { place: 's3'; bucket: string }
  | { place: 'local'; storageDir: string | undefined; count: number };

export async function migrateData(opts: MigrateDataOptions): Promise<MigrateDataReport> {
  if (describeEndpoint(opts.from) === describeEndpoint(opts.to)) throw new GalleyError('invalid', '--from and --to name the same database');
  const source = await openDataEndpoint(opts.from, 'source');
  let target: DataEndpoint | undefined;
  try {
    target = await openDataEndpoint(opts.to, 'target');
    return await copyApp(source, target, opts);
  } finally {
    await target?.close();
    await source.close();
  }
}

async function copyApp(source: DataEndpoint, target: DataEndpoint, opts: MigrateDataOptions): Promise<MigrateDataReport> {
  const applied = await readAppliedSchema(source.db.read);
  if (!applied) throw new GalleyError('invalid', `${source.name} holds no Galley app (no schema was ever applied to it)`);
  assertRulesCompile(applied.collections, target);
  assertNamesFree(applied.collections, target);
  await assertNoRecords(target);

  // allowDataLoss: the target holds no records, so a step that drops a table or column of its own schema loses none
  const migrated = await migrateDatabase(target.db, applied.collections, { allowDataLoss: true });
  const tables = applied.collections.filter((c) => c.type !== 'view');
  const params = await source.readSnapshot(async (read) => {
    const totals = new Map<string, number>();
    for (const c of tables) totals.set(c.name, await countRows(read, c.name));
    return target.db.writer.run(async (tx) => {
      for (const c of tables) {
        const total = totals.get(c.name)!;
        const progress = (copied: number, done: boolean) => opts.onProgress?.({ collection: c.name, copied, total, done });
        progress(0, false);
        const copied = await copyTableRows(read, source.engine, tx.db, c.name, columnsOf(c), { pageRows: opts.pageRows, onPage: (n) => progress(n, false) });
        progress(copied, true);
      }
      return copyParams(read, tx.db);
    });
  });

  const counts: CollectionCount[] = [];
  for (const c of tables) counts.push({ name: c.name, source: await countRows(source.db.read, c.name), target: await countRows(target.db.read, c.name) });
  return {
    from: source.name,
    to: target.name,
    schemaSteps: migrated.steps.length,
    counts,
    mismatches: counts.filter((c) => c.source !== c.target),
    params,
    files: await describeFiles(source),
  };
}

/** A rule the target's database cannot run (a `strftime` modifier on PostgreSQL) is refused before anything is written. */
function assertRulesCompile(collections: CollectionModel[], target: DataEndpoint): void {
  const check = buildRuleCompileCheck(target.db.dialect);
  const schema = buildSchema(collections);
  const failures: string[] = [];
  for (const c of collections) {
    for (const [path, rule] of listRuleTexts(c)) {
      const failure = rule ? check(schema, c, rule) : null;
      if (failure) failures.push(`${c.name}.${path.join('.')}: ${failure}`);
    }
  }
  if (failures.length > 0) throw new GalleyError('invalid', `${target.name} cannot run these rules of the app: ${failures.join('; ')}. Change them on the source first.`);
}

/** A collection or index of a name PostgreSQL keeps for Galley (`_logs`, free in a data directory) is refused before anything is written. */
function assertNamesFree(collections: CollectionModel[], target: DataEndpoint): void {
  if (target.engine !== 'postgres') return;
  const clashes = listReservedNameClashes(collections, POSTGRES_RESERVED_NAMES);
  if (clashes.length > 0) throw new GalleyError('invalid', `${target.name} cannot hold the app as it is: ${clashes.join('; ')}. Rename on the source first (galley migrate apply there).`);
}

const columnsOf = (c: CollectionModel): string[] => listTableColumns(c).map((col) => col.name);

async function countRows(read: Kysely<any>, table: string): Promise<number> {
  const row = await read.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Refuses a target whose collections hold any record, naming them. */
async function assertNoRecords(target: DataEndpoint): Promise<void> {
  const applied = await readAppliedSchema(target.db.read);
  const held: string[] = [];
  for (const c of applied?.collections ?? []) {
    if (c.type === 'view') continue;
    const n = await countRows(target.db.read, c.name);
    if (n > 0) held.push(`${c.name}: ${n}`);
  }
  if (held.length > 0) {
    throw new GalleyError(
      'invalid',
      `${target.name} already holds records (${held.join(', ')}): migrate-data copies into an empty database only. ` +
        `Use a new database or directory, or empty this one yourself (there is no --force: merging two apps would collide on ids and unique fields).`,
    );
  }
}

/** The key store, but for the start key (a record of the source's own start check, meaningless on another database). */
async function copyParams(read: Kysely<any>, into: Kysely<any>): Promise<number> {
  const rows = await read.selectFrom(PARAMS_TABLE).select(['key', 'value', 'updated']).where('key', '!=', START_KEY_PARAM).orderBy('key').execute();
  for (const row of rows) {
    await into
      .insertInto(PARAMS_TABLE)
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated: row.updated }))
      .execute();
  }
  return rows.length;
}

async function describeFiles(source: DataEndpoint): Promise<FilesNote> {
  const row = await source.db.read.selectFrom(PARAMS_TABLE).select('value').where('key', '=', 'settings').executeTakeFirst();
  let s3: { enabled?: unknown; bucket?: unknown } | undefined;
  try {
    s3 = row ? (JSON.parse(String(row.value)) as { s3?: typeof s3 }).s3 : undefined;
  } catch {
    s3 = undefined;
  }
  if (s3?.enabled === true) return { place: 's3', bucket: String(s3.bucket ?? '') };
  const storageDir = source.dir ? join(source.dir, 'storage') : undefined;
  return { place: 'local', storageDir, count: storageDir ? countFiles(storageDir) : 0 };
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}
