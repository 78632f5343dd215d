/**
 * The schema-aware FilterResolver: identifiers of a collection's filters and rules → SQL operands.
 * Client filters of non-superusers (allowHidden false) cannot see hidden fields, only match public
 * emails, and may only look into joined records that pass their collection's listRule.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Expr } from '../query/ast.ts';
import { compileCondition, compileFilterAst } from '../query/compile.ts';
import { parseFilter } from '../query/parser.ts';
import type { FilterResolver, JoinScope, ResolveContext, SqlOperand } from '../query/resolver.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findPathIdSpace, withIdSpace } from './auth-id-space.ts';
import { JoinRegistry } from './join-registry.ts';
import { addPathJoin, walkFieldPath, type PathState, type ResolverCore } from './resolve-path.ts';
import { resolveRequestIdentifier } from './resolve-request.ts';
import { guardRuleCompile } from './rule-failure.ts';
import { isRecordIdentifierShape } from '../query/identifier-shapes.ts';


export interface RecordResolverInit extends Omit<ResolverCore, 'registry' | 'suffix' | 'notes' | 'compileListCheck'> {
  /** Clock for the listRule checks' macros. */
  readonly now?: Date;
  /**
   * Joins shared with other resolvers of the same statement (a listRule in rule mode and a client filter
   * in client mode): one alias is one joined row for all of them. A fresh registry when absent.
   */
  readonly registry?: JoinRegistry;
}

export function createRecordResolver(init: RecordResolverInit): FilterResolver {
  const core: ResolverCore = {
    ...init,
    registry: init.registry ?? new JoinRegistry(),
    suffix: '',
    notes: {},
    compileListCheck: (collection, alias) => compileRowListCheck(core, init.now, collection, alias),
  };
  return resolverOf(core, init.now);
}

function resolverOf(core: ResolverCore, now: Date | undefined): FilterResolver {
  let scope: JoinScope | undefined;
  return {
    resolve: (name, ctx) => {
      core.notes.refusal = undefined;
      const before = core.registry.touches;
      const operand = resolveRecordIdentifier(core, name, ctx);
      return operand && core.registry.touches !== before ? { ...operand, joined: true } : operand;
    },
    joinScope: () => (scope ??= buildJoinScope(core, now)),
    explainUnknown: () => core.notes.refusal,
  };
}

function resolveRecordIdentifier(core: ResolverCore, name: string, ctx: ResolveContext): SqlOperand | null {
  if (!isRecordIdentifierShape(name)) {
    core.notes.refusal = 'not an identifier shape the resolver accepts';
    return null;
  }
  if (name.startsWith('@collection.')) return resolveCollectionIdentifier(core, name);
  if (name.startsWith('@request.')) return resolveRequestIdentifier(core, name, ctx);
  const st: PathState = { collection: core.collection, alias: core.alias, multi: false, nullifyMissing: false, mmJoins: [] };
  const path = name.split('.');
  return withRowChecks(st, withIdSpace(walkFieldPath(core, st, path), findPathIdSpace(core.schema, core.collection, path)));
}

/** Sort mode: the value counts only where every joined row passes its listRule (else it reads NULL). */
function withRowChecks(st: PathState, operand: SqlOperand | null): SqlOperand | null {
  if (!operand || !st.rowChecks?.length) return operand;
  const checks = operand.guard ? [operand.guard, ...st.rowChecks] : st.rowChecks;
  return { ...operand, guard: sql<SqlBool>`(${sql.join(checks, sql` AND `)})` };
}

/** `@collection.<name>[:alias].<field…>`: every record of another collection, joined without condition. */
function resolveCollectionIdentifier(core: ResolverCore, name: string): SqlOperand | null {
  const props = name.split('.');
  const [collName, aliasName] = props[1]!.split(':', 2) as [string, string | undefined];
  const collection = core.schema.findCollection(collName);
  if (!collection) {
    core.notes.refusal = `no collection ${JSON.stringify(collName)}`;
    return null;
  }
  // wire: `:alias` joins the same collection again, independently of other aliases
  const alias = `@collection.${collection.name}${aliasName ? `:${aliasName}` : ''}${core.suffix}`;
  const st: PathState = { collection, alias, multi: true, nullifyMissing: false, mmJoins: [] };
  if (!addPathJoin(core, st, (n) => ({ alias: n(alias), source: sql.id(collection.name), on: null }), collection)) return null;
  return withRowChecks(st, withIdSpace(walkFieldPath(core, st, props.slice(2)), findPathIdSpace(core.schema, collection, props.slice(2))));
}

/**
 * The joins of the whole filter, plus one condition per joined collection whose listRule applies:
 * `id = '' || (<listRule>)` over the joined row (the `id = ''` keeps a missing relation from failing
 * the whole filter). wire: PocketBase's updateQueryWithCollectionListRule.
 */
const MISSING_ROW = parseFilter("id = ''");

/**
 * The same check over one row of an all-of subquery or a sort value, where it cannot join the
 * statement's scope: in rule mode, with its own joins inside one EXISTS.
 */
function compileRowListCheck(core: ResolverCore, now: Date | undefined, collection: CollectionModel, alias: string): Expression<SqlBool> {
  const check: ResolverCore = {
    ...core,
    collection,
    alias,
    allowHidden: true,
    sortMode: false,
    registry: new JoinRegistry(),
    suffix: core.registry.nextRowCheckSuffix(),
    notes: {},
  };
  const expr: Expr = { type: 'or', items: [MISSING_ROW, parseFilter(collection.listRule!)], pos: 0 };
  return guardRuleCompile(collection, () => compileFilterAst(expr, resolverOf(check, now), { dialect: core.dialect, now }));
}

function buildJoinScope(core: ResolverCore, now: Date | undefined): JoinScope {
  const conditions: Expression<SqlBool>[] = [];
  const targets = core.registry.ruleTargets;
  for (let i = 0; i < targets.length; i++) {
    const { collection, alias } = targets[i]!;
    const check: ResolverCore = { ...core, collection, alias, allowHidden: true, suffix: core.registry.nextCheckSuffix() };
    const expr: Expr = { type: 'or', items: [MISSING_ROW, parseFilter(collection.listRule!)], pos: 0 };
    // another collection's rule: a failure is the generic 400, never that rule's words (rule-failure.ts)
    conditions.push(guardRuleCompile(collection, () => compileCondition(expr, resolverOf(check, now), { dialect: core.dialect, now })));
  }
  return { joins: [...core.registry.joins], conditions };
}
