/**
 * The load-time rule check that uses the request-time compiler itself, with the database's dialect, so whatever
 * a request would refuse is refused when the schema loads (on PostgreSQL too: a `strftime` modifier).
 * wire: PocketBase's collectionValidator.checkRule compiles each rule with an empty RequestInfo (a guest, no
 * body) when a collection is saved.
 */
import type { CheckRuleCompiles } from '../schema/check-rules.ts';
import type { LoadSchemaOptions } from '../schema/load.ts';
import { POSTGRES_RESERVED_NAMES } from '../schema/reserved-names.ts';
import { checkViewQueriesInMemory } from '../db/migrate/view-check.ts';
import { sqliteDialect, type FilterDialect } from '../query/dialect.ts';
import { compileFilterWhere } from './compile-filter.ts';
import { guestRequest } from './request-info.ts';

/** The rule check compiling as a database of `dialect` will at request time. */
export function buildRuleCompileCheck(dialect: FilterDialect): CheckRuleCompiles {
  return (schema, collection, rule) => {
    try {
      compileFilterWhere({ schema, collection, info: guestRequest(), alias: collection.name, dialect }, rule, 'rule');
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
      return `invalid rule: ${message}${cause}`;
    }
  };
}

export const explainRuleCompileFailure: CheckRuleCompiles = buildRuleCompileCheck(sqliteDialect);

/**
 * What every load of a schema that will serve requests on a database of `dialect` checks: view queries in SQLite,
 * rules compiled, and on PostgreSQL the names it keeps beside the collections (`_logs`: aux.db's on SQLite).
 */
export function buildFullLoadOptions(dialect: FilterDialect): LoadSchemaOptions {
  if (dialect === sqliteDialect) return { checkViewQueries: checkViewQueriesInMemory, checkRuleCompiles: explainRuleCompileFailure };
  return { checkViewQueries: checkViewQueriesInMemory, checkRuleCompiles: buildRuleCompileCheck(dialect), reservedNames: POSTGRES_RESERVED_NAMES };
}

/** The same for SQLite (`serve` today, the CLI's migrate/types/import). */
export const FULL_LOAD_OPTIONS: LoadSchemaOptions = buildFullLoadOptions(sqliteDialect);
