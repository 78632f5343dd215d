/**
 * How a column's values travel when its field changes type or options: which conversion, and the SQL
 * expression that performs it inside `INSERT … SELECT` (rebuild) or `UPDATE … SET` (in place).
 * Conversions are chosen from what each field type declares (its ColumnSpec and whether it holds a list),
 * never from type names. Anything not listed here cannot convert: the column gets its default (lossy).
 */
import { sql, type RawBuilder } from 'kysely';
import type { ColumnSpec } from '../../schema/fields/field-type.ts';

/** What a column holds, as far as converting its values goes. */
export type StorageKind = 'text' | 'number' | 'bool' | 'list' | 'json' | 'fixedJson';

export interface ColumnShape {
  spec: ColumnSpec;
  /** the field holds a list (JSON array of strings) */
  multi: boolean;
  /** most items the field may hold (list only) */
  maxSelect: number;
}

export type Conversion =
  | 'copy'
  | 'numberToText'
  | 'textToNumber'
  | 'boolToNumber'
  | 'numberToBool'
  | 'wrapInList'
  | 'lastOfList'
  | 'trimList'
  | 'reset';

export function readStorageKind(shape: ColumnShape): StorageKind {
  switch (shape.spec.type) {
    case 'text':
      return 'text';
    case 'numeric':
      return 'number';
    case 'boolean':
      return 'bool';
    case 'json':
      // a JSON column that may hold NULL takes any JSON; a NOT NULL one holds one fixed shape (a point)
      return shape.multi ? 'list' : shape.spec.notNull ? 'fixedJson' : 'json';
  }
}

export function isSameColumnSpec(a: ColumnSpec, b: ColumnSpec): boolean {
  return a.type === b.type && a.notNull === b.notNull && a.defaultValue === b.defaultValue && Boolean(a.primaryKey) === Boolean(b.primaryKey);
}

const PAIRS: Record<string, Conversion> = {
  'text>number': 'textToNumber',
  'number>text': 'numberToText',
  'bool>number': 'boolToNumber',
  'number>bool': 'numberToBool',
  'text>list': 'wrapInList',
  'list>text': 'lastOfList',
  'list>json': 'copy',
  'fixedJson>json': 'copy',
};

/** The conversion from one column shape to another. */
export function chooseConversion(from: ColumnShape, to: ColumnShape): Conversion {
  const a = readStorageKind(from);
  const b = readStorageKind(to);
  if (a === b) {
    if (a === 'list' && to.maxSelect < from.maxSelect) return 'trimList';
    return isSameColumnSpec(from.spec, to.spec) ? 'copy' : 'reset';
  }
  return PAIRS[`${a}>${b}`] ?? 'reset';
}

/** The literal a column gets when its values cannot convert (its DEFAULT). */
export function buildDefaultSql(spec: ColumnSpec): RawBuilder<unknown> {
  return spec.defaultValue === null ? sql`NULL` : sql.lit(spec.defaultValue);
}

type Expr = RawBuilder<unknown>;

/** Items of a JSON array value kept by `keep` (a condition on `je.key`, `je.value`), as a JSON array. */
function filterListSql(value: Expr, keep: Expr): Expr {
  return sql`(CASE WHEN NOT json_valid(${value}) THEN ${value} WHEN json_type(${value}) != 'array' THEN ${value}
    ELSE (SELECT json_group_array(je.value ORDER BY je.key) FROM json_each(${value}) AS je WHERE ${keep}) END)`;
}

/** The value after `conversion`; `max` is the target's maxSelect (trimList keeps the LAST `max` items). */
export function buildConversionSql(conversion: Conversion, value: Expr, to: ColumnShape): Expr {
  switch (conversion) {
    case 'copy':
      return value;
    case 'numberToText':
      return sql`coalesce(CAST(${value} AS TEXT), '')`;
    case 'textToNumber':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = '' THEN 0 ELSE CAST(${value} AS NUMERIC) END)`;
    case 'boolToNumber':
      return sql`(CASE WHEN ${value} IN (1, 'true') THEN 1 ELSE 0 END)`;
    case 'numberToBool':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = 0 THEN 0 ELSE 1 END)`;
    case 'wrapInList':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = '' THEN '[]' ELSE json_array(${value}) END)`;
    case 'lastOfList':
      // wire: a single-value field keeps the LAST item it is given
      return sql`(CASE WHEN ${value} IS NULL THEN '' WHEN NOT json_valid(${value}) THEN ${value}
        WHEN json_type(${value}) != 'array' THEN ${value} ELSE coalesce(${value} ->> '$[#-1]', '') END)`;
    case 'trimList':
      return filterListSql(value, sql`je.key >= json_array_length(${value}) - ${sql.lit(to.maxSelect)}`);
    case 'reset':
      return buildDefaultSql(to.spec);
  }
}

/** Keeps only ids that exist in `target` (a list value or a single id), so no relation value dangles. */
export function buildKeepIdsSql(value: Expr, target: string, multi: boolean): Expr {
  const ids = sql`(SELECT ${sql.ref('id')} FROM ${sql.table(target)})`;
  if (multi) return filterListSql(value, sql`je.value IN ${ids}`);
  return sql`(CASE WHEN ${value} IN ${ids} THEN ${value} ELSE '' END)`;
}
