/**
 * Syntax tree + resolver → one Kysely boolean expression; every literal is a bound parameter.
 *
 * PocketBase LEFT JOINs relations into the list query and de-duplicates rows (DISTINCT). Galley keeps
 * the caller's `SELECT … FROM table AS alias` untouched instead: when the filter needs joins it becomes
 * `EXISTS (SELECT 1 FROM (SELECT 1) LEFT JOIN … WHERE filter)`, which holds for exactly the rows the
 * DISTINCT join would return (same join rows, same NULL padding for missing relations). Several filters
 * of one statement (a listRule and a client filter) share ONE such scope, as they share PocketBase's joins.
 */
import { GalleyError } from '../errors.ts';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Expr, Term } from './ast.ts';
import { compileComparison } from './compare.ts';
import { sqliteDialect, type FilterDialect } from './dialect.ts';
import { compileCall } from './functions.ts';
import { resolveMacro } from './macros.ts';
import { parseFilter } from './parser.ts';
import {
  bitOperand,
  NULL_OPERAND,
  valueOperand,
  type FilterResolver,
  type JoinScope,
  type ResolveContext,
  type SqlOperand,
} from './resolver.ts';

export interface CompileOptions {
  dialect?: FilterDialect;
  /** The clock for `@now` and friends (tests pin it). */
  now?: Date;
}

interface Compiler {
  resolver: FilterResolver;
  dialect: FilterDialect;
  now: Date;
  ctx: ResolveContext;
  /** Set once an operand read a joined row (reset per condition item). */
  joined: boolean;
}

function makeCompiler(resolver: FilterResolver, options: CompileOptions): Compiler {
  const c: Compiler = {
    resolver,
    dialect: options.dialect ?? sqliteDialect,
    now: options.now ?? new Date(),
    ctx: { compileSubFilter: (text) => compileExpr(c, parseFilter(text)) },
    joined: false,
  };
  return c;
}

/** wire: `null`, `true`, `false` (any case) are literals when no field answers to the name. */
function resolveKeyword(name: string, dialect: FilterDialect): SqlOperand | undefined {
  const lower = name.toLowerCase();
  if (lower === 'null') return NULL_OPERAND;
  if (lower === 'true') return bitOperand(1, dialect);
  if (lower === 'false') return bitOperand(0, dialect);
  return undefined;
}

function resolveTerm(c: Compiler, term: Term): SqlOperand {
  switch (term.type) {
    case 'text':
      return valueOperand(term.value);
    case 'number':
      return valueOperand(term.value);
    case 'call':
      return compileCall(term, (t) => resolveTerm(c, t), c.dialect);
    case 'identifier': {
      const macro = resolveMacro(term.name, c.now);
      if (macro !== undefined) return valueOperand(macro);
      const resolved = c.resolver.resolve(term.name, c.ctx) ?? resolveKeyword(term.name, c.dialect);
      if (!resolved) {
        // hidden and unknown fields read the same to the caller; the reason goes to the logs only
        const reason = c.resolver.explainUnknown?.(term.name) ?? 'no such field';
        throw new GalleyError('invalid', `unknown field ${JSON.stringify(term.name)} at ${term.pos}`, { cause: new Error(reason) });
      }
      if (resolved.joined) c.joined = true;
      return resolved;
    }
  }
}

function compileExpr(c: Compiler, expr: Expr): Expression<SqlBool> {
  if (expr.type === 'comparison') {
    return compileComparison(resolveTerm(c, expr.left), expr.op, resolveTerm(c, expr.right), c.dialect);
  }
  const parts = expr.items.map((item) => compileExpr(c, item));
  return sql<SqlBool>`(${sql.join(parts, expr.type === 'and' ? sql` AND ` : sql` OR `)})`;
}

/** The `LEFT JOIN …` list of a join scope. */
export function compileJoins(scope: JoinScope): Expression<unknown> {
  return sql.join(
    scope.joins.map((j) => sql`LEFT JOIN ${j.source} AS ${sql.id(j.alias)} ON ${j.on ?? sql`TRUE`}`),
    sql` `,
  );
}

function existsInJoinScope(conds: readonly Expression<SqlBool>[], scope: JoinScope): Expression<SqlBool> {
  const where = sql.join([...conds], sql` AND `);
  return sql<SqlBool>`EXISTS (SELECT 1 FROM (SELECT 1) AS ${sql.id('__root')} ${compileJoins(scope)} WHERE ${where})`;
}

/** `cond` over the scope's joined rows: EXISTS a combination of them meeting it (and the scope's conditions). */
export function wrapInJoinScope(cond: Expression<SqlBool>, scope: JoinScope): Expression<SqlBool> {
  if (scope.joins.length === 0 && scope.conditions.length === 0) return cond;
  return existsInJoinScope([cond, ...scope.conditions], scope);
}

/** One top-level AND item of a filter, compiled; `joined` when it reads a row of the join scope. */
export interface ConditionItem {
  readonly cond: Expression<SqlBool>;
  readonly joined: boolean;
}

/**
 * Compile a filter as its top-level AND items, without wrapping: the joins stay registered in the
 * resolver, so several filters (each with its own resolver over one join registry) share one scope.
 */
export function compileConditionItems(expr: Expr, resolver: FilterResolver, options: CompileOptions = {}): ConditionItem[] {
  const c = makeCompiler(resolver, options);
  const items: ConditionItem[] = [];
  const visit = (e: Expr): void => {
    if (e.type === 'and') return e.items.forEach(visit);
    c.joined = false;
    const cond = compileExpr(c, e);
    items.push({ cond, joined: c.joined });
  };
  visit(expr);
  return items;
}

/** What one joined row must meet for its record to match: the joined items and the scope's conditions. */
export function listJoinedRowConditions(items: readonly ConditionItem[], scope: JoinScope): Expression<SqlBool>[] {
  return [...items.filter((i) => i.joined).map((i) => i.cond), ...scope.conditions];
}

/**
 * The WHERE of condition items sharing one join scope: items reading only the record stay outside (so
 * indexes serve them), the rest go into ONE `EXISTS` with the scope's conditions, so a single joined row
 * must meet them all (wire: PocketBase's one LEFT JOIN per alias under one WHERE). Null: no restriction.
 */
export function composeScopedWhere(items: readonly ConditionItem[], scope: JoinScope): Expression<SqlBool> | null {
  const parts = items.filter((i) => !i.joined).map((i) => i.cond);
  const inner = listJoinedRowConditions(items, scope);
  if (scope.joins.length === 0) parts.push(...inner);
  else if (inner.length > 0) parts.push(existsInJoinScope(inner, scope));
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/** Compile without wrapping: the joins stay registered in the resolver (nested rule checks share them). */
export function compileCondition(expr: Expr, resolver: FilterResolver, options: CompileOptions = {}): Expression<SqlBool> {
  return compileExpr(makeCompiler(resolver, options), expr);
}

/** Compile a whole filter for a WHERE clause. The resolver must be fresh: its joins belong to this filter. */
export function compileFilterAst(expr: Expr, resolver: FilterResolver, options: CompileOptions = {}): Expression<SqlBool> {
  const cond = compileCondition(expr, resolver, options);
  return wrapInJoinScope(cond, resolver.joinScope());
}

/** A single identifier as an operand (sort keys): no macros, no literals. Null when unknown. */
export function resolveSortOperand(name: string, resolver: FilterResolver, options: CompileOptions = {}): SqlOperand | null {
  const c = makeCompiler(resolver, options);
  return resolver.resolve(name, c.ctx);
}
