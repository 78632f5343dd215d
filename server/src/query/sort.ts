/**
 * The `sort` parameter: `-a,+b,c,@random,@rowid`. wire: tools/search/sort.go and provider.go limits.
 */
import { sql, type Expression } from 'kysely';
import { GalleyError } from '../errors.ts';
import { compileJoins, resolveSortOperand, type CompileOptions } from './compile.ts';
import { sqliteDialect } from './dialect.ts';
import { MAX_SORT_KEY_LENGTH, MAX_SORT_KEYS } from './limits.ts';
import type { FilterResolver } from './resolver.ts';

export type SortDirection = 'asc' | 'desc';

export interface SortKey {
  readonly name: string;
  readonly direction: SortDirection;
}

export interface SortTerm {
  expr: Expression<unknown>;
  direction: SortDirection;
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

/**
 * One sort key → an ORDER BY expression over the row of `alias`. `@random` and `@rowid` are built in;
 * anything else must resolve to a column (no literal values, not NULL). A key that needs joins becomes
 * a scalar subquery taking the smallest (asc) or largest (desc) joined value, so a record sorts by its
 * best item; joined rows failing the scope's conditions (listRule) count as NULL.
 */
export function compileSortTerm(
  key: SortKey,
  alias: string,
  resolver: FilterResolver,
  options: CompileOptions = {},
): SortTerm {
  const dialect = options.dialect ?? sqliteDialect;
  // wire: @random ignores the direction
  if (key.name === '@random') return { expr: dialect.random(), direction: 'asc' };
  if (key.name === '@rowid') return { expr: dialect.rowid(alias), direction: key.direction };
  const operand = resolveSortOperand(key.name, resolver, options);
  if (!operand || operand.values.length > 0 || operand.keyword !== undefined) {
    throw new GalleyError('invalid', `invalid sort field ${JSON.stringify(key.name)}`);
  }
  const raw = operand.render();
  const value = operand.guard ? sql`(CASE WHEN ${operand.guard} THEN ${raw} END)` : raw;
  const scope = resolver.joinScope();
  if (scope.joins.length === 0 && scope.conditions.length === 0) return { expr: value, direction: key.direction };
  const pick = key.direction === 'desc' ? sql`MAX` : sql`MIN`;
  const where = scope.conditions.length > 0 ? sql` WHERE ${sql.join([...scope.conditions], sql` AND `)}` : sql``;
  return {
    expr: sql`(SELECT ${pick}(${value}) FROM (SELECT 1) AS ${sql.id('__root')} ${compileJoins(scope)}${where})`,
    direction: key.direction,
  };
}
