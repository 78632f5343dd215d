/**
 * The load-time rule check that uses the request-time compiler itself, so whatever a request would
 * refuse is refused when the schema loads. wire: PocketBase's collectionValidator.checkRule compiles
 * each rule with an empty RequestInfo (a guest, no body) when a collection is saved.
 */
import type { CheckRuleCompiles } from '../schema/check-rules.ts';
import type { LoadSchemaOptions } from '../schema/load.ts';
import { checkViewQueriesInMemory } from '../db/migrate/view-check.ts';
import { compileFilterWhere } from './compile-filter.ts';
import { guestRequest } from './request-info.ts';

export const explainRuleCompileFailure: CheckRuleCompiles = (schema, collection, rule) => {
  try {
    compileFilterWhere({ schema, collection, info: guestRequest(), alias: collection.name }, rule, 'rule');
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `invalid rule: ${message}${cause}`;
  }
};

/** What every load of a schema that will serve requests checks: view queries in SQLite, rules compiled. */
export const FULL_LOAD_OPTIONS: LoadSchemaOptions = { checkViewQueries: checkViewQueriesInMemory, checkRuleCompiles: explainRuleCompileFailure };
