/**
 * What the compiler asks of whoever knows the data: identifiers → SQL operands, plus the joins those
 * operands need. query/ knows no schema; records hand it a resolver (a three-field one in tests).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { sqliteDialect, type FilterDialect } from './dialect.ts';

/**
 * How `=`/`!=` treat NULL next to "" (PocketBase's NullFallbackPreference):
 * auto — "" and NULL are equal; disabled — plain `IS`/`IS NOT` (JSON values); enforced — never
 * "known non-empty", so the COALESCE form is kept (function results).
 */
export type NullFallback = 'auto' | 'disabled' | 'enforced';

/** A LEFT JOIN of the statement's join scope; `on: null` joins every row (`ON TRUE`). */
export interface Join {
  readonly alias: string;
  readonly source: Expression<unknown>;
  readonly on: Expression<SqlBool> | null;
}

/**
 * The items of a multi-valued operand, for the all-of check: `SELECT value FROM (SELECT 1) LEFT JOIN
 * …joins` yields one row per item, or one NULL row when there are none (wire: PocketBase's multi-match
 * subquery LEFT JOINs from the record, so an empty set is one NULL item).
 */
export interface MultiSource {
  readonly joins: readonly Join[];
  readonly value: Expression<unknown>;
  readonly nullFallback: NullFallback;
  /**
   * What an item must meet to count at all (the listRule of each joined collection, a public email), as
   * in the statement's join scope: items the caller may not see are left out, never read. PocketBase
   * skips these here, which made the all-of check an oracle for hidden values.
   */
  readonly conditions?: readonly Expression<SqlBool>[];
}

/** One side of a comparison, resolved. */
export interface SqlOperand {
  /** The SQL; `mapValue` rewrites the literal values it binds (the LIKE wrapping of a right operand). */
  render(mapValue?: (value: unknown) => unknown): Expression<unknown>;
  /** The literal values it binds (wire: PocketBase's ResolverResult.Params); they drive the ""/NULL rules. */
  readonly values: readonly unknown[];
  /** SQL constants PocketBase classifies by their text: NULL, and TRUE/FALSE/1/0. */
  readonly keyword?: 'null' | 'bool';
  readonly nullFallback: NullFallback;
  /** Set when the operand has several values per record (relations to many, back-relations, `:each`…). */
  readonly multi?: MultiSource;
  /** A condition the row must also meet whenever this operand is compared (email visibility). */
  readonly guard?: Expression<SqlBool>;
  /** Set when it reads a row of the join scope (a LEFT JOIN alias): its value depends on the joined row. */
  readonly joined?: boolean;
  /**
   * The id space its values are record ids of (the resolver names one per auth collection): operands of two
   * different id spaces never name the same record, whatever text they hold.
   */
  readonly idSpace?: string;
}

export interface ResolveContext {
  /** Compile a filter text with the same resolver into the same join scope (used by `:changed`). */
  compileSubFilter(text: string): Expression<SqlBool>;
}

export interface JoinScope {
  readonly joins: readonly Join[];
  /** Conditions on the joined rows that every match must meet (listRule of joined collections). */
  readonly conditions: readonly Expression<SqlBool>[];
}

export interface FilterResolver {
  /**
   * Resolve an identifier that is not a macro. Return null when there is no such field (or the caller
   * may not see it): the compiler then tries the `null`/`true`/`false` literals, else reports it unknown.
   */
  resolve(identifier: string, ctx: ResolveContext): SqlOperand | null;
  /** The joins and conditions registered while resolving, in order. Called once, after the last resolve. */
  joinScope(): JoinScope;
  /** Why the last `resolve` returned null (hidden, no such field…): for logs only, never for the caller. */
  explainUnknown?(identifier: string): string | undefined;
}

/** SQL value of a literal: booleans as 1/0, structures as JSON text. */
export function toSqlValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

/** A bound literal (text, number, macro, request value). */
export function valueOperand(value: unknown): SqlOperand {
  return {
    render: (map) => sql.val(toSqlValue(map ? map(value) : value)),
    values: [value],
    nullFallback: 'auto',
  };
}

/** A column or any expression without literal values. */
export function columnOperand(
  expr: Expression<unknown>,
  extra: { nullFallback?: NullFallback; multi?: MultiSource; guard?: Expression<SqlBool> } = {},
): SqlOperand {
  return { render: () => expr, values: [], nullFallback: extra.nullFallback ?? 'auto', multi: extra.multi, guard: extra.guard };
}

export const NULL_OPERAND: SqlOperand = { render: () => sql`NULL`, values: [], keyword: 'null', nullFallback: 'auto' };

export function boolOperand(value: boolean): SqlOperand {
  return { render: () => (value ? sql`TRUE` : sql`FALSE`), values: [], keyword: 'bool', nullFallback: 'auto' };
}

/** wire: the `true`/`false` literals are the SQL numbers 1/0 in PocketBase. */
export function bitOperand(value: 0 | 1, dialect: FilterDialect = sqliteDialect): SqlOperand {
  return { render: () => dialect.bit(value), values: [], keyword: 'bool', nullFallback: 'auto' };
}
