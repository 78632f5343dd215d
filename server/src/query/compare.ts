/**
 * One comparison of two resolved operands → SQL, with PocketBase's semantics:
 * "" and NULL are equal for `=`/`!=`, `~` wraps literals in `%…%`, and a plain (non-`?`) operator on a
 * multi-valued operand must hold for every item (wire: tools/search/filter.go buildResolversExpr) that
 * the caller may see (MultiSource.conditions: unlike PocketBase, items hidden by a listRule or a private
 * email are left out of "every item", so they never decide the answer).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { isAnyOfOperator, type Operator } from './ast.ts';
import type { FilterDialect, OrderingOperator } from './dialect.ts';
import { wrapLikeValue } from './like.ts';
import type { MultiSource, SqlOperand } from './resolver.ts';

const EMPTY = sql`''`;

const hasEmptyValue = (o: SqlOperand): boolean => o.values.some((v) => v === null || v === undefined || v === '');
const isNullKeyword = (o: SqlOperand): boolean => o.keyword === 'null';
const isEmptyOperand = (o: SqlOperand): boolean =>
  isNullKeyword(o) || (o.nullFallback === 'auto' && o.values.length === 1 && hasEmptyValue(o));
const isKnownNonEmpty = (o: SqlOperand): boolean =>
  o.nullFallback !== 'enforced' && (o.keyword === 'bool' || (o.values.length > 0 && !hasEmptyValue(o) && !isNullKeyword(o)));

/** wire: resolveEqualExpr — seekable `x = '' OR x IS NULL` rather than COALESCE where it can. */
function compileEquality(equal: boolean, left: SqlOperand, right: SqlOperand, dialect: FilterDialect): Expression<SqlBool> {
  // `!=` is NULL-safe, `=` is not: PocketBase's `IS NOT` / `=`
  const compare = (a: Expression<unknown>, b: Expression<unknown>) => (equal ? sql<SqlBool>`${a} = ${b}` : dialect.nullSafeEquals(a, b, true));
  const l = left.render();
  const r = right.render();
  if (left.nullFallback === 'disabled' || right.nullFallback === 'disabled') return dialect.nullSafeEquals(l, r, !equal);
  const leftEmpty = isEmptyOperand(left);
  const rightEmpty = isEmptyOperand(right);
  if (leftEmpty && rightEmpty) return compare(EMPTY, EMPTY);
  // a side compared with '' is read as text (the identity on SQLite)
  const lt = rightEmpty ? dialect.asComparableText(l) : l;
  const rt = leftEmpty ? dialect.asComparableText(r) : r;
  if (isKnownNonEmpty(left) || isKnownNonEmpty(right)) return compare(leftEmpty ? EMPTY : lt, rightEmpty ? EMPTY : rt);
  if (leftEmpty) {
    return equal ? sql<SqlBool>`('' = ${rt} OR ${r} IS NULL)` : sql<SqlBool>`(${compare(EMPTY, rt)} AND ${r} IS NOT NULL)`;
  }
  if (rightEmpty) {
    return equal ? sql<SqlBool>`(${lt} = '' OR ${l} IS NULL)` : sql<SqlBool>`(${compare(lt, EMPTY)} AND ${l} IS NOT NULL)`;
  }
  return compare(dialect.coalesceEmpty(l), dialect.coalesceEmpty(r));
}

function compileLike(negate: boolean, left: SqlOperand, right: SqlOperand, dialect: FilterDialect): Expression<SqlBool> {
  // a column (no literal values) on the right is a "contains" pattern
  if (right.values.length === 0) return dialect.like(left.render(), dialect.containsPattern(right.render()), negate);
  return dialect.like(left.render(), right.render(wrapLikeValue), negate);
}

function compileBase(left: SqlOperand, op: Operator, right: SqlOperand, dialect: FilterDialect): Expression<SqlBool> {
  const plain = (op.startsWith('?') ? op.slice(1) : op) as Operator;
  switch (plain) {
    case '=':
      return compileEquality(true, left, right, dialect);
    case '!=':
      return compileEquality(false, left, right, dialect);
    case '~':
      return compileLike(false, left, right, dialect);
    case '!~':
      return compileLike(true, left, right, dialect);
    default:
      return dialect.compare(left.render(), plain as OrderingOperator, right.render());
  }
}

/** The items of a multi-valued operand the caller may see, as a one-column subquery (`v`). */
function compileMultiSubquery(m: MultiSource): Expression<unknown> {
  const joins = m.joins.map((j) => sql`LEFT JOIN ${j.source} AS ${sql.id(j.alias)} ON ${j.on ?? sql`TRUE`}`);
  const where = m.conditions?.length ? sql` WHERE ${sql.join([...m.conditions], sql` AND `)}` : sql``;
  return sql`SELECT ${m.value} AS ${sql.id('v')} FROM (SELECT 1) AS ${sql.id('__mm')} ${sql.join(joins, sql` `)}${where}`;
}

/** A stand-in for one item of a multi-valued operand inside the all-of subquery. */
function itemOperand(alias: string, m: MultiSource): SqlOperand {
  return { render: () => sql.id(alias, 'v'), values: [], nullFallback: m.nullFallback };
}

/** wire: the other side keeps its SQL and values but not its NULL preference, guard or items. */
function plainOperand(o: SqlOperand): SqlOperand {
  return { render: o.render, values: o.values, keyword: o.keyword, nullFallback: 'auto' };
}

/** NOT EXISTS an item for which the comparison does not hold. */
function compileAllOf(left: SqlOperand, op: Operator, right: SqlOperand, dialect: FilterDialect): Expression<SqlBool> {
  if (left.multi && right.multi) {
    const cond = compileBase(itemOperand('__ml', left.multi), op, itemOperand('__mr', right.multi), dialect);
    return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM (${compileMultiSubquery(left.multi)}) AS ${sql.id('__ml')} LEFT JOIN (${compileMultiSubquery(right.multi)}) AS ${sql.id('__mr')} ON TRUE WHERE NOT (${cond}))`;
  }
  const multi = (left.multi ?? right.multi)!;
  const item = itemOperand('__sm', multi);
  const cond = left.multi
    ? compileBase(item, op, plainOperand(right), dialect)
    : compileBase(plainOperand(left), op, item, dialect);
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM (${compileMultiSubquery(multi)}) AS ${sql.id('__sm')} WHERE NOT (${cond}))`;
}

/** Equality and "contains" between ids of two different id spaces: never the same record, decided as such. */
function compileDisjointIds(op: Operator): Expression<SqlBool> | null {
  const plain = op.startsWith('?') ? op.slice(1) : op;
  if (plain === '=' || plain === '~') return sql<SqlBool>`(1 = 0)`;
  if (plain === '!=' || plain === '!~') return sql<SqlBool>`(1 = 1)`;
  return null;
}

export function compileComparison(left: SqlOperand, op: Operator, right: SqlOperand, dialect: FilterDialect): Expression<SqlBool> {
  const disjoint = left.idSpace && right.idSpace && left.idSpace !== right.idSpace ? compileDisjointIds(op) : null;
  if (disjoint) return disjoint;
  let expr = compileBase(left, op, right, dialect);
  if (!isAnyOfOperator(op) && (left.multi || right.multi)) {
    expr = sql<SqlBool>`(${expr} AND ${compileAllOf(left, op, right, dialect)})`;
  }
  if (left.guard) expr = sql<SqlBool>`(${expr} AND ${left.guard})`;
  if (right.guard) expr = sql<SqlBool>`(${expr} AND ${right.guard})`;
  return expr;
}
