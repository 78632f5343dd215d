/**
 * The planner: diff(applied collections, desired collections) → ordered steps. Pure: no database.
 * This first cut knows create/rename table, add/rename column and index changes; the steps that would lose
 * data (drop table, drop column, column type change) are planned and marked `lossy` so callers can refuse
 * them with a precise list. View collections are skipped on both sides until views are implemented.
 */
import { GalleyError } from '../../errors.ts';
import type { ColumnSpec } from '../../schema/fields/field-type.ts';
import { fieldTypeOf } from '../../schema/fields/registry.ts';
import { parseCollectionIndex, type ParsedIndex } from '../../schema/index-sql.ts';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { META_TABLES } from '../meta-tables.ts';

export interface ColumnDef {
  name: string;
  spec: ColumnSpec;
}

export type SchemaStep = { description: string; lossy: boolean } & (
  | { kind: 'createTable'; table: string; columns: ColumnDef[] }
  | { kind: 'renameTable'; from: string; to: string }
  | { kind: 'addColumn'; table: string; column: ColumnDef }
  | { kind: 'renameColumn'; table: string; from: string; to: string }
  | { kind: 'createIndex'; index: ParsedIndex }
  | { kind: 'dropIndex'; name: string }
  | { kind: 'dropColumn'; table: string; column: string }
  | { kind: 'changeColumnType'; table: string; column: string; from: ColumnSpec; to: ColumnSpec }
  | { kind: 'dropTable'; table: string }
);

/** The `id` column of every table, whatever the field says about defaults. */
const ID_SPEC: ColumnSpec = { type: 'text', notNull: true, defaultValue: null, primaryKey: true };

function columnsOf(c: CollectionModel): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const field of c.fields) {
    let spec: ColumnSpec | null;
    try {
      spec = fieldTypeOf(field).column(field);
    } catch (err) {
      throw new GalleyError('invalid', `collection "${c.name}", field "${field.name}": ${(err as Error).message}`);
    }
    if (spec) out.push({ name: field.name, spec: field.name === 'id' ? ID_SPEC : spec });
  }
  if (!out.some((col) => col.name === 'id')) out.unshift({ name: 'id', spec: ID_SPEC });
  return out;
}

function tablesOf(collections: readonly CollectionModel[]): CollectionModel[] {
  return collections.filter((c) => c.type !== 'view');
}

function indexesOf(c: CollectionModel): ParsedIndex[] {
  return c.indexes.map((text) => parseCollectionIndex(text, c.name));
}

function sameColumn(a: ColumnSpec, b: ColumnSpec): boolean {
  return a.type === b.type && Boolean(a.primaryKey) === Boolean(b.primaryKey);
}

function matchBy<T extends { id: string; name: string; renamedFrom?: string }>(applied: readonly T[], wanted: T): T | undefined {
  const lower = (s: string) => s.toLowerCase();
  return (
    applied.find((a) => a.id === wanted.id) ??
    (wanted.renamedFrom === undefined ? undefined : applied.find((a) => lower(a.name) === lower(wanted.renamedFrom!))) ??
    applied.find((a) => lower(a.name) === lower(wanted.name))
  );
}

function checkDesired(desired: CollectionModel[]): void {
  const indexNames = new Map<string, string>();
  for (const c of desired) {
    const lower = c.name.toLowerCase();
    if (META_TABLES.includes(lower) || lower.startsWith('sqlite_')) {
      throw new GalleyError('invalid', `collection "${c.name}": the name is reserved`);
    }
    for (const idx of indexesOf(c)) {
      const seen = indexNames.get(idx.name.toLowerCase());
      if (seen) throw new GalleyError('invalid', `index "${idx.name}" is declared by "${seen}" and "${c.name}"; index names are database-wide`);
      indexNames.set(idx.name.toLowerCase(), c.name);
    }
  }
}

const q = (s: string) => JSON.stringify(s);

export function planSchemaChanges(applied: readonly CollectionModel[], desired: readonly CollectionModel[]): SchemaStep[] {
  const before = tablesOf(applied);
  const after = tablesOf(desired);
  checkDesired(after);
  const renames: SchemaStep[] = []; // tables, then columns: before any add, so a freed name can be reused
  const dropIndexes: SchemaStep[] = [];
  const columns: SchemaStep[] = [];
  const lossy: SchemaStep[] = [];
  const createIndexes: SchemaStep[] = [];
  const matched = new Set<CollectionModel>();

  const appliedIndexes = new Map<string, ParsedIndex>();
  for (const c of before) for (const idx of indexesOf(c)) appliedIndexes.set(idx.name.toLowerCase(), idx);
  const desiredIndexes = new Map<string, ParsedIndex>();
  for (const c of after) for (const idx of indexesOf(c)) desiredIndexes.set(idx.name.toLowerCase(), idx);

  for (const want of after) {
    const had = matchBy(before.filter((b) => !matched.has(b)), want);
    const wantCols = columnsOf(want);
    if (!had) {
      columns.push({
        kind: 'createTable', table: want.name, columns: wantCols, lossy: false,
        description: `create table ${q(want.name)} (${wantCols.map((c) => c.name).join(', ')})`,
      });
      continue;
    }
    matched.add(had);
    if (had.name !== want.name) {
      renames.push({ kind: 'renameTable', from: had.name, to: want.name, lossy: false, description: `rename table ${q(had.name)} to ${q(want.name)}` });
    }
    const hadCols = new Map(columnsOf(had).map((c) => [c.name, c]));
    const usedFields = new Set<FieldModel>();
    const hadFields = had.fields.filter((f) => hadCols.has(f.name));
    for (const col of wantCols) {
      const field = want.fields.find((f) => f.name === col.name);
      const prevField = field ? matchBy(hadFields.filter((f) => !usedFields.has(f)), field) : undefined;
      const prev = prevField ? hadCols.get(prevField.name) : hadCols.get(col.name);
      if (prevField) usedFields.add(prevField);
      if (!prev) {
        if (col.spec.notNull && col.spec.defaultValue === null) {
          throw new GalleyError('invalid', `collection "${want.name}", field "${col.name}": a new column needs a default value`);
        }
        columns.push({ kind: 'addColumn', table: want.name, column: col, lossy: false, description: `add column ${q(want.name)}.${q(col.name)} (${col.spec.type})` });
        continue;
      }
      hadCols.delete(prev.name);
      if (prev.name !== col.name) {
        renames.push({ kind: 'renameColumn', table: want.name, from: prev.name, to: col.name, lossy: false, description: `rename column ${q(want.name)}.${q(prev.name)} to ${q(col.name)}` });
      }
      if (!sameColumn(prev.spec, col.spec)) {
        lossy.push({
          kind: 'changeColumnType', table: want.name, column: col.name, from: prev.spec, to: col.spec, lossy: true,
          description: `change column ${q(want.name)}.${q(col.name)} from ${prev.spec.type} to ${col.spec.type} (rebuilds the table; values may not convert)`,
        });
      }
    }
    for (const gone of hadCols.keys()) {
      lossy.push({ kind: 'dropColumn', table: want.name, column: gone, lossy: true, description: `drop column ${q(want.name)}.${q(gone)} and its values` });
    }
  }
  for (const gone of before.filter((b) => !matched.has(b))) {
    lossy.push({ kind: 'dropTable', table: gone.name, lossy: true, description: `drop table ${q(gone.name)} and all its rows` });
  }

  const droppedTables = new Set(before.filter((b) => !matched.has(b)).map((b) => b.name.toLowerCase()));
  for (const [key, idx] of appliedIndexes) {
    const next = desiredIndexes.get(key);
    if (next && next.normalized === idx.normalized) continue;
    if (!droppedTables.has(idx.table.toLowerCase())) {
      dropIndexes.push({ kind: 'dropIndex', name: idx.name, lossy: false, description: `drop index ${q(idx.name)}` });
    }
  }
  for (const [key, idx] of desiredIndexes) {
    const prev = appliedIndexes.get(key);
    if (prev && prev.normalized === idx.normalized) continue;
    createIndexes.push({
      kind: 'createIndex', index: idx, lossy: false,
      description: `create ${idx.unique ? 'unique ' : ''}index ${q(idx.name)} on ${q(idx.table)}`,
    });
  }
  // Indexes go first (a dropped column may be indexed) and last (they may use new columns).
  return [...dropIndexes, ...renames, ...columns, ...lossy, ...createIndexes];
}
