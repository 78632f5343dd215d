/**
 * The records service's view of the filter compiler. The schema-aware resolver lives in rules/ (rules
 * compile with it too, and rules/ may not import records/); this file is the records-facing name.
 */
export type { FilterScope } from '../rules/filter-scope.ts';
export type { SortTerm } from '../query/sort.ts';
export { compileFilterWhere, compileSortOrder } from '../rules/compile-filter.ts';
export { checkListRuleAccess, compileListClauses, compileListWhere, type ListClauses } from '../rules/compile-list.ts';
