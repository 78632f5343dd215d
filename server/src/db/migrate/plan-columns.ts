/**
 * One collection's columns, before and after: which column each desired column comes from, how its values
 * convert, and the words and data checks that go with it. plan-table.ts turns these moves into steps.
 */
import { sql } from 'kysely';
import { GalleyError } from '../../errors.ts';
import type { ColumnSpec } from '../../schema/fields/field-type.ts';
import { fieldTypeOf } from '../../schema/fields/registry.ts';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { chooseConversion, readStorageKind, type ColumnShape, type Conversion } from './conversions.ts';
import type { SchemaDialect, SqlExpr } from './schema-dialect.ts';
import type { DataCheck } from './step.ts';

export interface TableColumn {
  /** the field's id ('' for an `id` column no field declares) */
  id: string;
  name: string;
  renamedFrom?: string;
  spec: ColumnSpec;
  shape: ColumnShape;
  field: FieldModel | undefined;
}

/** Where a relation's ids must exist: the target collection's table name now and before the plan (null: new). */
export interface RelationTarget {
  name: string;
  before: string | null;
}

export interface ColumnMove {
  to: TableColumn;
  /** null: the column is added */
  from: TableColumn | null;
  conversion: Conversion;
  /** relation values are kept only when they are ids of this table */
  keepIdsIn: RelationTarget | null;
}

/** The `id` column of every table, whatever the field says about defaults. */
const ID_SPEC: ColumnSpec = { type: 'text', notNull: true, defaultValue: null, primaryKey: true };

export function listTableColumns(c: CollectionModel): TableColumn[] {
  const out: TableColumn[] = [];
  for (const field of c.fields) {
    let spec: ColumnSpec | null;
    let multi: boolean;
    try {
      const type = fieldTypeOf(field);
      spec = type.column(field);
      multi = type.isMulti(field);
    } catch (err) {
      throw new GalleyError('invalid', `collection "${c.name}", field "${field.name}": ${(err as Error).message}`);
    }
    if (!spec) continue;
    if (field.name === 'id') spec = ID_SPEC;
    const maxSelect = typeof field['maxSelect'] === 'number' ? field['maxSelect'] : 0;
    out.push({ id: field.id, name: field.name, renamedFrom: field.renamedFrom, spec, shape: { spec, multi, maxSelect }, field });
  }
  if (!out.some((col) => col.name === 'id')) {
    out.unshift({ id: '', name: 'id', spec: ID_SPEC, shape: { spec: ID_SPEC, multi: false, maxSelect: 0 }, field: undefined });
  }
  return out;
}

/** The related collection's id of a relation field, or null. */
export function readRelationTarget(col: TableColumn | null): string | null {
  if (!col?.field) return null;
  return fieldTypeOf(col.field).relation?.(col.field)?.collectionId ?? null;
}

const q = (s: string) => JSON.stringify(s);

/** "number", "select (one value)", "relation (up to 5)": enough to tell two shapes of a field apart. */
export function labelColumn(col: TableColumn): string {
  const type = col.field?.type ?? 'text';
  if (readStorageKind(col.shape) === 'list') return `${type} (up to ${col.shape.maxSelect})`;
  return col.field && typeof col.field['maxSelect'] === 'number' ? `${type} (one value)` : type;
}

const HOW: Record<Conversion, (to: TableColumn) => string> = {
  copy: () => 'values are kept as they are',
  numberToText: () => 'each number becomes its text',
  textToNumber: () => "each text becomes its number ('' becomes 0); every value must be a number",
  boolToNumber: () => 'true becomes 1, false becomes 0',
  numberToBool: () => '0 becomes false, any other number true',
  wrapInList: () => 'each value becomes a one-item list',
  lastOfList: () => 'each list keeps only its last item',
  trimList: (to) => `each list keeps only its last ${to.shape.maxSelect} items`,
  reset: (to) => `the values cannot convert; every row gets ${to.spec.defaultValue === null ? 'null' : JSON.stringify(to.spec.defaultValue)}`,
};

export interface MoveWords {
  detail: string;
  /** why it loses data whatever the data ('' when only the data can tell) */
  lossyWhy: string;
  checks: DataCheck[];
}

/**
 * Words and checks of a converted column. `table`/`column`: where the values are when the step runs;
 * `beforeTable`: the table's name before the plan.
 */
export function describeMove(m: ColumnMove & { from: TableColumn }, table: string, column: string, beforeTable: string): MoveWords {
  const before = { table: beforeTable, column: m.from.name };
  const at = { table, column, before };
  const checks: DataCheck[] = [];
  if (m.conversion === 'textToNumber') checks.push({ ...at, kind: 'notNumber' });
  if (m.conversion === 'numberToBool') checks.push({ ...at, kind: 'notZeroOrOne' });
  if (m.conversion === 'lastOfList') checks.push({ ...at, kind: 'listTooLong', max: 1 });
  if (m.conversion === 'trimList') checks.push({ ...at, kind: 'listTooLong', max: m.to.shape.maxSelect });
  const changed = labelColumn(m.from) !== labelColumn(m.to);
  const parts: string[] = [];
  if (m.conversion !== 'copy' || changed) parts.push(HOW[m.conversion](m.to));
  if (m.keepIdsIn) {
    const t = m.keepIdsIn;
    const multi = readStorageKind(m.from.shape) === 'list';
    checks.push({ ...at, before: t.before === null ? null : before, kind: 'danglingIds', target: t.name, targetBefore: t.before, multi });
    parts.push(`ids that are not records of ${q(t.name)} are removed`);
  }
  const head = changed ? `${q(m.to.name)} changes from ${labelColumn(m.from)} to ${labelColumn(m.to)}` : q(m.to.name);
  const detail = `${head}: ${parts.join('; ')}`;
  const lossyWhy = m.conversion === 'reset' ? `${q(m.to.name)} cannot convert from ${labelColumn(m.from)} to ${labelColumn(m.to)}` : '';
  return { detail, lossyWhy, checks };
}

/** The value a moved column gets, reading the source column `table`.`from`. */
export function buildMoveValueSql(m: ColumnMove & { from: TableColumn }, table: string, dialect: SchemaDialect): SqlExpr {
  const { converted, filtersAfter } = splitMoveValueSql(m, table, dialect);
  return filtersAfter ? dialect.keepIds(converted, m.keepIdsIn!.name, readStorageKind(m.to.shape) === 'list') : converted;
}

/**
 * The same value in two parts, for an engine that converts a column in place: `converted` reads only the
 * column unless a list's ids are filtered (before its trim); `then`, when relation ids are filtered after the
 * conversion, is that filter over the converted column (a subquery: ALTER … TYPE … USING takes none).
 */
export function splitMoveValueSql(
  m: ColumnMove & { from: TableColumn },
  table: string,
  dialect: SchemaDialect,
): { converted: SqlExpr; subquery: boolean; unchanged: boolean; filtersAfter: boolean; then: SqlExpr | null } {
  const column = sql`${sql.ref(`${table}.${m.from.name}`)}`;
  const fromList = readStorageKind(m.from.shape) === 'list';
  const value = m.keepIdsIn && fromList ? dialect.keepIds(column, m.keepIdsIn.name, true) : column;
  const converted = dialect.convertValue(m.conversion, value, m.to.shape);
  const filtersAfter = m.keepIdsIn !== null && !fromList && m.conversion !== 'reset';
  const then = filtersAfter ? dialect.keepIds(column, m.keepIdsIn!.name, readStorageKind(m.to.shape) === 'list') : null;
  const subquery = value !== column || m.conversion === 'trimList';
  return { converted, subquery, unchanged: m.conversion === 'copy' && value === column, filtersAfter, then };
}

/** Pairs every desired column with its source and conversion; also returns the applied columns that go. */
export function pairColumns(
  hadCols: TableColumn[],
  wantCols: TableColumn[],
  match: Map<TableColumn, TableColumn>,
  findKeepIds: (from: TableColumn, to: TableColumn) => RelationTarget | null,
): { moves: ColumnMove[]; dropped: TableColumn[] } {
  const moves = wantCols.map((to): ColumnMove => {
    const from = match.get(to) ?? null;
    if (!from) return { to, from, conversion: 'copy', keepIdsIn: null };
    const conversion = chooseConversion(from.shape, to.shape);
    return { to, from, conversion, keepIdsIn: conversion === 'reset' ? null : findKeepIds(from, to) };
  });
  const used = new Set(moves.map((m) => m.from));
  return { moves, dropped: hadCols.filter((c) => !used.has(c)) };
}
