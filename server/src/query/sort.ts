/**
 * The `sort` parameter: `-a,+b,c,@random,@rowid`. wire: tools/search/sort.go and provider.go limits.
 */
import { sql, type Expression, type OrderByModifiers, type SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import { compileJoins, resolveSortOperand, type CompileOptions } from './compile.ts';
import { sqliteDialect } from './dialect.ts';
import { MAX_SORT_KEY_LENGTH, MAX_SORT_KEYS } from './limits.ts';
import type { FilterResolver, JoinScope } from './resolver.ts';

export type SortDirection = 'asc' | 'desc';

export interface SortKey {
  readonly name: string;
  readonly direction: SortDirection;
}

export interface SortTerm {
  expr: Expression<unknown>;
  direction: SortDirection;
  /** NULLS FIRST/LAST the dialect needs for SQLite's NULL order (FilterDialect.orderNulls); absent: the default gives it. */
  nulls?: 'first' | 'last';
}

/** The second argument of Kysely's `orderBy(expr, …)` for a term: its direction, and its NULLS placement if any. */
export function orderByModifiers(term: SortTerm): OrderByModifiers {
  const { direction, nulls } = term;
  if (!nulls) return direction;
  return (ob) => {
    const directed = direction === 'desc' ? ob.desc() : ob.asc();
    return nulls === 'first' ? directed.nullsFirst() : directed.nullsLast();
  };
}

/** Split and check a sort parameter. An empty parameter is no sort. */
export function parseSortParam(input: string): SortKey[] {
  if (input === '') return [];
  const keys = input.split(',').map((raw): SortKey => {
    const key = raw.trim();
    if (key.startsWith('-')) return { name: key.slice(1), direction: 'desc' };
    return { name: key.startsWith('+') ? key.slice(1) : key, direction: 'asc' };
  });
  if (keys.length > MAX_SORT_KEYS) throw new GalleyError('invalid', `too many sort fields (max ${MAX_SORT_KEYS})`);
  for (const k of keys) {
    if (k.name.length > MAX_SORT_KEY_LENGTH) throw new GalleyError('invalid', `sort field is too long (max ${MAX_SORT_KEY_LENGTH} characters)`);
  }
  return keys;
}

/** A sort key resolved while its join scope may still grow; finishSortTerm completes it. */
export interface PendingSortTerm {
  readonly value: Expression<unknown>;
  readonly direction: SortDirection;
  /** It reads a joined row: the record sorts by a value picked among its joined rows. */
  readonly joined: boolean;
  readonly nulls?: 'first' | 'last';
}

/**
 * One sort key → its value over the row of `alias` (joins stay registered in the resolver).
 * `@random` and `@rowid` are built in; anything else must resolve to a column (no literal values,
 * not NULL).
 */
export function resolveSortTerm(
  key: SortKey,
  alias: string,
  resolver: FilterResolver,
  options: CompileOptions = {},
): PendingSortTerm {
  const dialect = options.dialect ?? sqliteDialect;
  // wire: @random ignores the direction
  if (key.name === '@random') return { value: dialect.random(), direction: 'asc', joined: false };
  if (key.name === '@rowid') return { value: dialect.rowid(alias), direction: key.direction, joined: false };
  const nulls = dialect.orderNulls(key.direction) ?? undefined;
  const operand = resolveSortOperand(key.name, resolver, options);
  if (!operand || operand.values.length > 0 || operand.keyword !== undefined) {
    throw new GalleyError('invalid', `invalid sort field ${JSON.stringify(key.name)}`);
  }
  const raw = dialect.sortKey(operand.render());
  const value = operand.guard ? sql`(CASE WHEN ${operand.guard} THEN ${raw} END)` : raw;
  return { value, direction: key.direction, joined: operand.joined === true, ...(nulls ? { nulls } : {}) };
}

/**
 * The ORDER BY term of a resolved key. A joined key becomes a scalar subquery over the whole join
 * scope taking the smallest (asc) or largest (desc) value among the joined rows that meet
 * `rowConditions`, so a record sorts by its best matching item (PocketBase sorts by whichever matching
 * joined row its DISTINCT keeps).
 */
export function finishSortTerm(
  term: PendingSortTerm,
  scope: JoinScope,
  rowConditions: readonly Expression<SqlBool>[],
): SortTerm {
  const nulls = term.nulls ? { nulls: term.nulls } : {};
  if (!term.joined || scope.joins.length === 0) return { expr: term.value, direction: term.direction, ...nulls };
  const pick = term.direction === 'desc' ? sql`MAX` : sql`MIN`;
  const where = rowConditions.length > 0 ? sql` WHERE ${sql.join([...rowConditions], sql` AND `)}` : sql``;
  return {
    expr: sql`(SELECT ${pick}(${term.value}) FROM (SELECT 1) AS ${sql.id('__root')} ${compileJoins(scope)}${where})`,
    direction: term.direction,
    ...nulls,
  };
}

/**
 * One sort key on its own (a fresh resolver): joined rows failing the scope's conditions (listRule)
 * count as NULL. A list resolves its sort in its filters' join scope instead (resolveSortTerm).
 */
export function compileSortTerm(
  key: SortKey,
  alias: string,
  resolver: FilterResolver,
  options: CompileOptions = {},
): SortTerm {
  const term = resolveSortTerm(key, alias, resolver, options);
  const scope = resolver.joinScope();
  return finishSortTerm(term, scope, scope.conditions);
}
