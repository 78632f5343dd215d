/**
 * A list's listRule, client filter and sort → one WHERE and its ORDER BY over ONE join scope.
 * wire: PocketBase (apis/record_crud.go recordsList) resolves all three with one RecordFieldResolver and
 * applies its joins once, so a path mentioned by the rule and by the filter is one LEFT JOIN alias: a
 * record matches only when a single joined row meets rule AND filter AND the joined collections'
 * listRule checks. The rule resolves in rule mode (full access), the filter and sort in client mode
 * (hidden fields unknown, emails only where public, listRule checks on the collections they traverse).
 * Unlike PocketBase, the sort's listRule checks never reach the WHERE: a row the caller may not list
 * sorts as NULL (so `sort=author.name` keeps posts whose author is private, and does not leak the name).
 */
import type { Expression, SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import { compileConditionItems, composeScopedWhere, listJoinedRowConditions, type ConditionItem } from '../query/compile.ts';
import { checkFilterLength } from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { finishSortTerm, parseSortParam, resolveSortTerm, type SortTerm } from '../query/sort.ts';
import { createScopeResolver, refuseSuperuserOnlyFields } from './compile-filter.ts';
import type { FilterScope } from './filter-scope.ts';
import { JoinRegistry } from './join-registry.ts';
import { isSuperuser } from './request-info.ts';
import { guardRuleCompile } from './rule-failure.ts';

export interface ListClauses {
  /** Null when nothing restricts the rows. */
  readonly where: Expression<SqlBool> | null;
  readonly order: SortTerm[];
}

/** wire: a `null` listRule lists for superusers only; anyone else gets 403 before the filter is read. */
export function checkListRuleAccess(scope: FilterScope, rule: string | null): void {
  if (rule === null && !isSuperuser(scope.info)) throw new GalleyError('forbidden', 'Only superusers can perform this action.');
}

/**
 * `rule` is the collection's listRule as the schema holds it (superusers bypass it); `filter` and
 * `sort` are the caller's parameters ("" for none). Throws 403 for a null rule or, for non-superusers,
 * `@request.`/`@collection.` in the filter or sort; 400 for unknown or hidden fields.
 */
export function compileListClauses(scope: FilterScope, rule: string | null, filter: string, sort: string): ListClauses {
  checkListRuleAccess(scope, rule);
  const superuser = isSuperuser(scope.info);
  if (!superuser) {
    refuseSuperuserOnlyFields(filter);
    refuseSuperuserOnlyFields(sort);
  }
  checkFilterLength(filter);
  const options = { dialect: scope.dialect, now: scope.now };
  const registry = new JoinRegistry();
  const client = createScopeResolver(scope, superuser, registry);
  const items: ConditionItem[] = [];
  // wire: the rule first, then the filter, then the sort (PocketBase's order of registering joins)
  if (!superuser && rule) items.push(...guardRuleCompile(scope.collection, () => compileConditionItems(parseFilter(rule), createScopeResolver(scope, true, registry), options)));
  if (filter !== '') items.push(...compileConditionItems(parseFilter(filter), client, options));
  // the sort joins the same rows without restricting them: a related row the caller may not list sorts as NULL
  const sorter = createScopeResolver(scope, superuser, registry, true);
  const keys = parseSortParam(sort).map((key) => resolveSortTerm(key, scope.alias, sorter, options));
  const joinScope = client.joinScope();
  const rowConditions = listJoinedRowConditions(items, joinScope);
  return {
    where: composeScopedWhere(items, joinScope),
    order: keys.map((key) => finishSortTerm(key, joinScope, rowConditions)),
  };
}

/** compileListClauses without a sort. */
export function compileListWhere(scope: FilterScope, rule: string | null, filter: string): Expression<SqlBool> | null {
  return compileListClauses(scope, rule, filter, '').where;
}
