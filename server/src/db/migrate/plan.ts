/**
 * The planner: (applied collections, desired collections) → an ordered plan. Pure: no database; what only
 * the data can tell (a list too long for the new maxSelect, text that is not a number, duplicates under a
 * new unique index) travels as data checks that check-plan.ts answers.
 *
 * Order: drop views that must go first → drop changed indexes → drop tables → rename tables → create
 * tables → column steps per table (ALTERs, or one rebuild) → create indexes → create/replace views →
 * record-only steps. Dropping first frees names for renames; indexes are dropped before their columns
 * change and created once every column exists; views are created once every table they read exists
 * (plan-views.ts says which views go when).
 */
import { GalleyError } from '../../errors.ts';
import { parseCollectionIndex, type ParsedIndex } from '../../schema/index-sql.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { META_TABLES } from '../meta-tables.ts';
import { matchByIdentity, sequenceRenames } from './match.ts';
import { listTableColumns, readRelationTarget, type RelationTarget, type TableColumn } from './plan-columns.ts';
import { hasFieldOrderChanged, planCollectionUpdate, planFieldUpdate } from './plan-meta.ts';
import { planTableChanges, type TableChanges } from './plan-table.ts';
import { planViews } from './plan-views.ts';
import type { SchemaDialect } from './schema-dialect.ts';
import { sqliteSchemaDialect } from './sqlite-schema-dialect.ts';
import type { MigrationStep, Plan } from './step.ts';

/** Names Galley keeps for itself: its bookkeeping tables and the temporary names of renames and rebuilds. */
const RESERVED_PREFIX = '_galley_';
const TEMP_TABLE = '_galley_tmp_';

const q = (s: string) => JSON.stringify(s);
const lower = (s: string) => s.toLowerCase();

const makeStep = (s: Partial<MigrationStep> & Pick<MigrationStep, 'kind' | 'description'>): MigrationStep => ({
  details: [], sql: [], lossy: false, why: '', checks: [], ...s,
});

function listTables(collections: readonly CollectionModel[]): CollectionModel[] {
  return collections.filter((c) => c.type !== 'view');
}

function listIndexes(c: CollectionModel): ParsedIndex[] {
  return c.indexes.map((text) => parseCollectionIndex(text, c.name));
}

/** A name the engine would not keep as written (PostgreSQL cuts names longer than 63 bytes short). */
function checkNameLength(name: string, what: string, dialect: SchemaDialect): void {
  const max = dialect.maxNameBytes;
  if (max !== null && Buffer.byteLength(name) > max) throw new GalleyError('invalid', `${what} ${q(name)}: the database keeps names of at most ${max} bytes`);
}

function checkDesired(desired: readonly CollectionModel[], dialect: SchemaDialect): void {
  const indexNames = new Map<string, string>();
  for (const c of desired) {
    const name = lower(c.name);
    if (META_TABLES.includes(name) || name.startsWith(RESERVED_PREFIX) || name.startsWith('sqlite_')) {
      throw new GalleyError('invalid', `collection "${c.name}": the name is reserved`);
    }
    checkNameLength(c.name, 'collection', dialect);
    for (const f of c.fields) checkNameLength(f.name, `collection ${q(c.name)}, field`, dialect);
    for (const idx of listIndexes(c)) {
      checkNameLength(idx.name, 'index', dialect);
      const seen = indexNames.get(lower(idx.name));
      if (seen) throw new GalleyError('invalid', `index "${idx.name}" is declared by "${seen}" and "${c.name}"; index names are database-wide`);
      indexNames.set(lower(idx.name), c.name);
    }
  }
}

/** The collection as it is recorded once applied: rename hints have done their work. */
function stripRenameHints(c: CollectionModel): CollectionModel {
  const { renamedFrom: _c, ...rest } = c;
  return { ...rest, fields: c.fields.map(({ renamedFrom: _f, ...field }) => field) };
}

/** `dialect`: the engine the plan's SQL is written for (SQLite unless said). */
export function planMigration(applied: readonly CollectionModel[], desired: readonly CollectionModel[], dialect: SchemaDialect = sqliteSchemaDialect): Plan {
  const before = listTables(applied);
  const after = listTables(desired);
  checkDesired(desired, dialect);
  const match = matchByIdentity(before, after);
  const continued = new Map([...match].map(([want, had]) => [had, want]));
  const byId = new Map(after.map((c) => [c.id, c]));

  /** Where a desired relation column's ids must exist, unless its values already were ids of that collection. */
  const findKeepIds = (from: TableColumn, to: TableColumn): RelationTarget | null => {
    const target = byId.get(readRelationTarget(to) ?? '');
    if (!target) return null; // not a relation, or a view target (views come later)
    const oldTarget = before.find((c) => c.id === readRelationTarget(from));
    if (oldTarget && continued.get(oldTarget) === target) return null;
    return { name: target.name, before: match.get(target)?.name ?? null };
  };

  const steps = {
    dropIndexes: [] as MigrationStep[], dropTables: [] as MigrationStep[], renameTables: [] as MigrationStep[],
    createTables: [] as MigrationStep[], columns: [] as MigrationStep[], createIndexes: [] as MigrationStep[], meta: [] as MigrationStep[],
  };
  for (const gone of before.filter((b) => !continued.has(b))) {
    steps.dropTables.push(makeStep({
      kind: 'dropTable', description: `drop table ${q(gone.name)} and all its rows`, sql: [dialect.dropTable(gone.name)],
      lossy: true, why: `deletes the collection ${q(gone.name)} with every record`,
    }));
  }
  const renames = after.flatMap((want) => {
    const had = match.get(want);
    return had && had.name !== want.name ? [{ from: had.name, to: want.name }] : [];
  });
  const present = before.filter((b) => continued.has(b)).map((b) => b.name);
  for (const r of sequenceRenames(renames, present, TEMP_TABLE)) {
    steps.renameTables.push(makeStep({ kind: 'renameTable', description: `rename table ${q(r.from)} to ${q(r.to)}`, sql: [dialect.renameTable(r.from, r.to)] }));
  }

  const changes = new Map<CollectionModel, TableChanges>();
  for (const want of after) {
    const had = match.get(want);
    if (!had) {
      const columns = listTableColumns(want);
      steps.createTables.push(makeStep({
        kind: 'createTable', description: `create table ${q(want.name)} (${columns.map((c) => c.name).join(', ')})`, sql: [dialect.createTable(want.name, columns)],
      }));
      continue;
    }
    const table = planTableChanges(had, want, findKeepIds, dialect);
    changes.set(want, table);
    steps.columns.push(...table.steps);
    const indexTextOnly = had.indexes.join('\n') !== want.indexes.join('\n') && sameIndexSet(had, want);
    const update = planCollectionUpdate(had, want, hasFieldOrderChanged(table.fieldPairs, had), indexTextOnly);
    if (update) steps.meta.push(update);
    for (const p of table.fieldPairs) {
      const fieldUpdate = planFieldUpdate(want.name, p.had, p.want, p.move);
      if (fieldUpdate) steps.meta.push(fieldUpdate);
    }
  }

  planIndexes(before, after, match, changes, steps, dialect);
  // the tables (by their applied names) whose views must be dropped before the table steps run
  const touched = new Set<string>();
  for (const had of before) {
    const want = continued.get(had);
    if (!want || want.name !== had.name || (changes.get(want)?.steps.length ?? 0) > 0) touched.add(lower(had.name));
  }
  const views = planViews(applied, desired, touched, dialect);
  return {
    steps: [
      ...views.drops, ...steps.dropIndexes, ...steps.dropTables, ...steps.renameTables, ...steps.createTables, ...steps.columns,
      ...steps.createIndexes, ...views.creates, ...steps.meta, ...views.meta,
    ],
    collections: desired.map(stripRenameHints),
  };
}

function sameIndexSet(a: CollectionModel, b: CollectionModel): boolean {
  const norm = (c: CollectionModel) => listIndexes(c).map((i) => i.normalized).sort().join('\n');
  return a.name === b.name && norm(a) === norm(b);
}

function planIndexes(
  before: CollectionModel[],
  after: CollectionModel[],
  match: Map<CollectionModel, CollectionModel>,
  changes: Map<CollectionModel, TableChanges>,
  steps: { dropIndexes: MigrationStep[]; createIndexes: MigrationStep[] },
  dialect: SchemaDialect,
): void {
  const continued = new Map([...match].map(([want, had]) => [had, want]));
  const appliedIndexes = new Map<string, { idx: ParsedIndex; had: CollectionModel }>();
  for (const had of before) for (const idx of listIndexes(had)) appliedIndexes.set(lower(idx.name), { idx, had });
  const desiredIndexes = new Map<string, { idx: ParsedIndex; want: CollectionModel }>();
  for (const want of after) for (const idx of listIndexes(want)) desiredIndexes.set(lower(idx.name), { idx, want });
  const isRebuilt = (want: CollectionModel | undefined) => (want ? changes.get(want)?.rebuilt === true : false);

  for (const [key, { idx, had }] of appliedIndexes) {
    const want = continued.get(had);
    if (!want) continue; // its table is dropped, and the index with it
    const next = desiredIndexes.get(key);
    if (next && next.want === want && next.idx.normalized === idx.normalized && !isRebuilt(want)) continue;
    steps.dropIndexes.push(makeStep({ kind: 'dropIndex', description: `drop index ${q(idx.name)}`, sql: [dialect.dropIndex(idx.name)] }));
  }
  for (const [key, { idx, want }] of desiredIndexes) {
    const prev = appliedIndexes.get(key);
    if (prev && continued.get(prev.had) === want && prev.idx.normalized === idx.normalized && !isRebuilt(want)) continue;
    const had = match.get(want);
    // Checkable before the plan runs only when the table and its columns are exactly as they were.
    const untouched = had !== undefined && had.name === want.name && changes.get(want)?.columnsChanged === false;
    steps.createIndexes.push(makeStep({
      kind: 'createIndex',
      description: `create ${idx.unique ? 'unique ' : ''}index ${q(idx.name)} on ${q(idx.table)}`,
      sql: [dialect.createIndex(idx)],
      checks: idx.unique && had ? [{ kind: 'duplicates', table: want.name, column: '', index: idx, before: untouched ? { table: had.name, column: '' } : null }] : [],
    }));
  }
}
