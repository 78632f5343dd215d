/**
 * What one list/count statement costs before it runs, from the parsed filter, rule and sort and the schema.
 * A filter becomes LEFT JOINs in one join scope: every multi-valued hop (a relation to many, a back-relation,
 * `:each`, `@collection`) multiplies the joined rows the statement walks per record, and an all-of
 * comparison (`=` on a multi-valued path) walks its path again in a subquery for each of them. The client's
 * part is budgeted (issue 18: six `friends` hops of ten each froze the server for seconds per record);
 * the developer's rule is trusted and counts only toward the statement's join total.
 * A separate walk that mirrors rules/resolve-path.ts's aliases (one alias per path prefix, a fresh namespace
 * per joined collection's listRule check) rather than a hook in it, so the resolver stays as it is.
 * It holds for every dialect: a multi-valued hop joins the dialect's jsonEach source (json_each on SQLite,
 * galley_json_each on PostgreSQL: one row per item either way), and a `@rowid` sort reads a column, no join.
 */
import { GalleyError } from '../errors.ts';
import { isAnyOfOperator, type Expr, type Term } from '../query/ast.ts';
import {
  checkFilterLength,
  COSTLY_FAN_OUT,
  MAX_CLIENT_MULTI_HOPS,
  MAX_RELATION_DEPTH,
  MAX_STATEMENT_JOINS,
  UNBOUNDED_FAN_OUT,
} from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { parseSortParam } from '../query/sort.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';
import type { CollectionModel, FieldModel, Schema } from '../schema/model.ts';
import { refuseSuperuserOnlyFields } from './compile-filter.ts';
import type { FilterScope } from './filter-scope.ts';
import { isSuperuser } from './request-info.ts';

export interface QueryCost {
  /** Multi-valued hops the client's filter and sort add: distinct joins, the listRule checks they trigger, the deepest all-of walk. */
  readonly multiHops: number;
  /** Estimated joined rows per record for the client's part (product of the hops' bounds: maxSelect, or UNBOUNDED_FAN_OUT). */
  readonly fanOut: number;
  /** LEFT JOINs of the whole statement's join scope: rule, filter, sort and listRule checks. */
  readonly joins: number;
}

export interface CostInput {
  readonly schema: Schema;
  readonly collection: CollectionModel;
  /** The trusted rule's text (listRule), or null when it does not apply (superuser, none). */
  readonly rule: string | null;
  /** The client's filter, parsed (null for none). */
  readonly filter: Expr | null;
  /** The client's sort keys (field paths, `@random`, `@rowid`). */
  readonly sortKeys: readonly string[];
  /** Non-superusers: joined collections' listRules are checked on the joined rows (more joins). */
  readonly enforceListRules: boolean;
}

interface JoinInfo {
  fanOut: number;
  client: boolean;
}

/** One statement's join scope as the walk builds it. */
interface Walk {
  readonly input: CostInput;
  readonly joins: Map<string, JoinInfo>;
  /** Table joins whose collection's listRule becomes a check (alias → collection). */
  readonly checked: Map<string, CollectionModel>;
  /** The client's all-of subqueries: fan-out of the largest. */
  allOfFanOut: number;
  allOfHops: number;
}

/** A path walk's running totals: its own multi-valued hops (for an all-of subquery over it). */
interface PathWalk {
  collection: CollectionModel;
  alias: string;
  hops: number;
  fanOut: number;
}

const VIA = /^(\w+)_via_(\w+)$/;

/** The cost of one statement; throws a 400 naming the limit when the client's part is over budget. */
export function checkQueryCost(input: CostInput): QueryCost {
  const cost = measureQueryCost(input);
  if (cost.multiHops > MAX_CLIENT_MULTI_HOPS) {
    throw new GalleyError(
      'invalid',
      `filter is too complex: too many multi-valued relation hops (${cost.multiHops}, max ${MAX_CLIENT_MULTI_HOPS})`,
    );
  }
  if (cost.joins > MAX_STATEMENT_JOINS && (input.filter !== null || input.sortKeys.length > 0)) {
    throw new GalleyError('invalid', `filter is too complex: too many relation joins (${cost.joins}, max ${MAX_STATEMENT_JOINS})`);
  }
  return cost;
}

/** True when a statement of this cost should run off the event loop, with a deadline. */
export function isCostlyQuery(cost: QueryCost): boolean {
  return cost.fanOut >= COSTLY_FAN_OUT;
}

export function measureQueryCost(input: CostInput): QueryCost {
  const w: Walk = { input, joins: new Map(), checked: new Map(), allOfFanOut: 1, allOfHops: 0 };
  const root = input.collection;
  // wire: the rule registers its joins first, the filter and sort then share any alias it made
  if (input.rule) walkExpr(w, parseFilter(input.rule), root, '', false);
  if (input.filter) walkExpr(w, input.filter, root, '', true);
  for (const key of input.sortKeys) {
    if (key !== '@random' && key !== '@rowid') walkIdentifier(w, key, root, '', true);
  }
  // each checked alias gets its own namespace (resolver: a fresh `~N` suffix per check)
  let n = 0;
  for (const [alias, collection] of [...w.checked]) {
    if (collection.listRule) walkExpr(w, parseFilter(collection.listRule), collection, `${alias}~${++n}`, true, false);
  }
  let hops = w.allOfHops;
  let fanOut = w.allOfFanOut;
  for (const j of w.joins.values()) {
    if (!j.client || j.fanOut === 1) continue;
    hops++;
    fanOut = Math.min(fanOut * j.fanOut, Number.MAX_SAFE_INTEGER);
  }
  return { multiHops: hops, fanOut, joins: w.joins.size };
}

function walkExpr(w: Walk, expr: Expr, collection: CollectionModel, alias: string, client: boolean, checks = client): void {
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.type !== 'comparison') {
      stack.push(...e.items);
      continue;
    }
    const allOf = !isAnyOfOperator(e.op);
    for (const term of [e.left, e.right]) {
      for (const name of identifiersOf(term)) {
        const path = walkIdentifier(w, name, collection, alias, client, checks);
        // an all-of comparison on a multi-valued path walks it again in a subquery per joined row
        if (client && allOf && path && path.hops > 0 && path.fanOut > w.allOfFanOut) {
          w.allOfFanOut = path.fanOut;
          w.allOfHops = path.hops;
        }
      }
    }
  }
}

function identifiersOf(term: Term): string[] {
  if (term.type === 'identifier') return [term.name];
  if (term.type === 'call') return term.args.flatMap(identifiersOf);
  return [];
}

function walkIdentifier(
  w: Walk,
  name: string,
  collection: CollectionModel,
  alias: string,
  client: boolean,
  checks = client,
): PathWalk | null {
  const props = name.split('.');
  const schema = w.input.schema;
  if (name.startsWith('@collection.') && props.length > 2) {
    const [collName, aliasName] = props[1]!.split(':', 2) as [string, string | undefined];
    const target = schema.findCollection(collName);
    if (!target) return null;
    const start: PathWalk = { collection: target, alias: `@collection.${target.name}:${aliasName ?? ''}${alias}`, hops: 0, fanOut: 1 };
    addJoin(w, start, start.alias, UNBOUNDED_FAN_OUT, client, checks ? target : undefined);
    return walkPath(w, start, props.slice(2), client, checks);
  }
  // @request.* reads the caller's own record or body (rules and superusers only): not budgeted
  if (name.startsWith('@')) return null;
  return walkPath(w, { collection, alias, hops: 0, fanOut: 1 }, props, client, checks);
}

function addJoin(w: Walk, p: PathWalk, alias: string, fanOut: number, client: boolean, checked?: CollectionModel): void {
  const known = w.joins.get(alias);
  if (known) known.client ||= client;
  else w.joins.set(alias, { fanOut, client });
  if (fanOut > 1) {
    p.hops++;
    p.fanOut = Math.min(p.fanOut * fanOut, Number.MAX_SAFE_INTEGER);
  }
  if (checked && w.input.enforceListRules && checked.listRule && !w.checked.has(alias)) w.checked.set(alias, checked);
}

/** The fan-out bound of one multi-valued field: its maxSelect when set, else unbounded. */
function fanOutOf(field: FieldModel): number {
  const max = typeof field.maxSelect === 'number' && field.maxSelect > 1 ? field.maxSelect : UNBOUNDED_FAN_OUT;
  return Math.min(max, UNBOUNDED_FAN_OUT);
}

/** Mirrors walkFieldPath's joins: one per single relation, two (the items' jsonEach + table) per multi relation. */
function walkPath(w: Walk, p: PathWalk, props: readonly string[], client: boolean, checks: boolean): PathWalk | null {
  const schema = w.input.schema;
  for (let i = 0; i < props.length; i++) {
    const [prop, modifier] = props[i]!.split(':') as [string, string | undefined];
    const field = schema.findField(p.collection, prop);
    const type = field ? fieldTypeOf(field) : undefined;
    if (i === props.length - 1) {
      if (field && modifier === 'each' && type!.isMulti(field)) addJoin(w, p, `${p.alias}.${prop}[]`, fanOutOf(field), client);
      return p;
    }
    if (i >= MAX_RELATION_DEPTH) return p; // the resolver refuses it with its own message
    const kind = field ? type!.filterKind(field) : null;
    if (kind === 'json' || kind === 'geo') return p;
    if (!field) {
      if (!walkBackRelation(w, p, prop, client, checks)) return p;
      continue;
    }
    const rel = type!.relation?.(field);
    const target = rel ? schema.findCollection(rel.collectionId) : undefined;
    if (!rel || !target) return p;
    if (!rel.multi && i === props.length - 2 && props[i + 1] === 'id') return p;
    const child = `${p.alias}.${prop}`;
    if (rel.multi) addJoin(w, p, `${child}[]`, fanOutOf(field), client);
    addJoin(w, p, child, 1, client, checks ? target : undefined);
    p.collection = target;
    p.alias = child;
  }
  return p;
}

function walkBackRelation(w: Walk, p: PathWalk, prop: string, client: boolean, checks: boolean): boolean {
  const schema = w.input.schema;
  const m = VIA.exec(prop);
  const back = m ? schema.findCollection(m[1]!) : undefined;
  const backField = back ? schema.findField(back, m![2]!) : undefined;
  const rel = backField ? fieldTypeOf(backField).relation?.(backField) : null;
  if (!back || !backField || !rel || schema.findCollection(rel.collectionId)?.id !== p.collection.id) return false;
  // wire: single and UNIQUE is one row at most; anything else is as many rows as point here
  const single = !rel.multi && findSingleColumnUniqueIndex(back.indexes, backField.name);
  const child = `${p.alias}.${prop}`;
  addJoin(w, p, child, single ? 1 : UNBOUNDED_FAN_OUT, client, checks ? back : undefined);
  p.collection = back;
  p.alias = child;
  return true;
}

/** The cost of a list statement (listRule + client filter + sort), checked against the client's budget. */
export function checkListCost(scope: FilterScope, rule: string | null, filter: string, sort: string): QueryCost {
  if (filter === '' && sort === '') return FREE;
  const superuser = isSuperuser(scope.info);
  // the compiler's own refusals come first, so a 403 or "too long" is answered as before
  if (!superuser) {
    refuseSuperuserOnlyFields(filter);
    refuseSuperuserOnlyFields(sort);
  }
  checkFilterLength(filter);
  return checkQueryCost({
    schema: scope.schema,
    collection: scope.collection,
    rule: superuser ? null : rule,
    filter: filter === '' ? null : parseFilter(filter),
    sortKeys: parseSortParam(sort).map((k) => k.name),
    enforceListRules: !superuser,
  });
}

const FREE: QueryCost = { multiHops: 0, fanOut: 1, joins: 0 };
