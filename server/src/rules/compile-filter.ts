/**
 * A collection's filters and sorts → SQL for `SELECT … FROM "<collection>" AS "<alias>"`.
 * Mode 'rule' (access rules) sees everything; mode 'client' (a caller's own `filter`/`sort`) is limited
 * for non-superusers as PocketBase limits it (§2.3 / §4.6 of the wire reference).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { forbidden } from '../errors.ts';
import { compileFilterAst } from '../query/compile.ts';
import { sqliteDialect } from '../query/dialect.ts';
import { checkFilterLength } from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { compileSortTerm, parseSortParam, type SortTerm } from '../query/sort.ts';
import type { FilterResolver } from '../query/resolver.ts';
import type { FilterScope } from './filter-scope.ts';
import type { JoinRegistry } from './join-registry.ts';
import { createRecordResolver } from './record-resolver.ts';
import { isSuperuser } from './request-info.ts';

/** wire: checked on the raw text, so the words are refused even inside a quoted value. */
export function refuseSuperuserOnlyFields(text: string): void {
  for (const word of ['@collection.', '@request.']) {
    if (text.includes(word)) throw forbidden(`Only superusers can filter by ${word}`);
  }
}

/**
 * A record resolver over `scope`; pass one `registry` to several to make them share joins. `sortMode`:
 * for sort keys, a joined row the caller may not list reads as NULL instead of filtering the records.
 */
export function createScopeResolver(scope: FilterScope, allowHidden: boolean, registry?: JoinRegistry, sortMode = false): FilterResolver {
  return createRecordResolver({
    schema: scope.schema,
    collection: scope.collection,
    alias: scope.alias,
    info: scope.info,
    allowHidden,
    dialect: scope.dialect ?? sqliteDialect,
    now: scope.now,
    registry,
    sortMode,
  });
}

/**
 * Compile a filter into one boolean SQL expression over the row of `scope.alias`.
 * Client mode (non-superuser): `@request.`/`@collection.` → 403 GalleyError; hidden fields are the same
 * 400 as unknown ones; the filter length is capped. An empty filter matches every row.
 */
export function compileFilterWhere(scope: FilterScope, filter: string, mode: 'client' | 'rule'): Expression<SqlBool> {
  const superuser = isSuperuser(scope.info);
  if (mode === 'client') {
    if (!superuser) refuseSuperuserOnlyFields(filter);
    checkFilterLength(filter);
  }
  if (filter === '') return sql<SqlBool>`TRUE`;
  const expr = parseFilter(filter);
  return compileFilterAst(expr, createScopeResolver(scope, mode === 'rule' || superuser), { dialect: scope.dialect, now: scope.now });
}

/** Compile a client `sort` parameter into ORDER BY terms (empty for an empty parameter). */
export function compileSortOrder(scope: FilterScope, sort: string): SortTerm[] {
  const superuser = isSuperuser(scope.info);
  if (!superuser) refuseSuperuserOnlyFields(sort);
  return parseSortParam(sort).map((key) =>
    compileSortTerm(key, scope.alias, createScopeResolver(scope, superuser, undefined, true), { dialect: scope.dialect, now: scope.now }),
  );
}
