import type { Expression, SqlBool } from 'kysely';
import { compileFilterWhere } from './compile-filter.ts';
import type { FilterScope } from './filter-scope.ts';
import { guardRuleCompile } from './rule-failure.ts';

/**
 * An access rule → 'deny' (null: superusers only), 'allow' ("": anyone), or the WHERE it adds.
 * The rule sees every field and the whole request. Superusers bypass rules: that is the caller's check.
 * A rule that fails to compile is PocketBase's generic 400 (rule-failure.ts), never its own words.
 */
export function compileRuleWhere(scope: FilterScope, rule: string | null): Expression<SqlBool> | 'deny' | 'allow' {
  if (rule === null) return 'deny';
  if (rule === '') return 'allow';
  return guardRuleCompile(scope.collection, () => compileFilterWhere(scope, rule, 'rule'));
}
