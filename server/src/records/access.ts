import type { Expression, Kysely, SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import type { FilterDialect } from '../query/dialect.ts';
import { compileRuleWhere } from '../rules/compile-rule.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel, RuleName, Schema } from '../schema/model.ts';
import type { FilterScope } from './resolver.ts';
import { cachedExpression, isRequestFree } from './statement-cache.ts';

/** `dialect`: the database's (`core.db.dialect`), never a caller's choice. */
export function scopeOf(schema: Schema, collection: CollectionModel, info: RequestInfo, dialect: FilterDialect): FilterScope {
  return { schema, collection, info, alias: collection.name, dialect };
}

/**
 * The WHERE a rule adds for this caller: null when nothing restricts (superuser or `""`).
 * wire: a `null` rule is superusers-only, answered 403 on every operation.
 */
export function ruleClause(scope: FilterScope, rule: RuleName): Expression<SqlBool> | null {
  if (isSuperuser(scope.info)) return null;
  const text = scope.collection[rule];
  if (text === null) throw new GalleyError('forbidden', 'Only superusers can perform this action.');
  const compile = () => {
    const compiled = compileRuleWhere(scope, text);
    return compiled === 'allow' || compiled === 'deny' ? null : compiled;
  };
  // Rules in rule mode join freely, so only `@` (request values, macros) makes one request-specific.
  if (!isRequestFree(text, { joins: true })) return compile();
  return cachedExpression(scope.schema, `rule|${scope.collection.id}|${scope.alias}|${text}`, compile);
}

/** wire: a `null` rule is checked before the body is read or validated, so a locked route answers 403 first. */
export function assertRuleOpen(collection: CollectionModel, info: RequestInfo, rule: RuleName): void {
  if (collection[rule] === null && !isSuperuser(info)) throw new GalleyError('forbidden', 'Only superusers can perform this action.');
}

/** True when this caller's rule clause for `rule` is the same for every request (cacheable statements). */
export function isRuleRequestFree(scope: FilterScope, rule: RuleName): boolean {
  const text = scope.collection[rule];
  return isSuperuser(scope.info) || text === null || isRequestFree(text, { joins: true });
}

/** Like ruleClause, but a `null` rule silently denies (expand, realtime): returns 'deny'. */
export function ruleClauseOrDeny(scope: FilterScope, rule: RuleName): Expression<SqlBool> | null | 'deny' {
  if (isSuperuser(scope.info)) return null;
  const compiled = compileRuleWhere(scope, scope.collection[rule]);
  return compiled === 'allow' ? null : compiled;
}

export function findCollectionOr404(schema: Schema, idOrName: string): CollectionModel {
  const collection = schema.findCollection(idOrName);
  // wire: PocketBase's message for an unknown collection in a records path.
  if (!collection) throw new GalleyError('not_found', 'Missing collection context.');
  return collection;
}

/**
 * wire: "manager" access to an auth record: the caller passes the collection's manageRule for that record
 * (superusers always do). A manager may change email, verified and password (no oldPassword) and sees the email.
 */
export async function checkManageAccess(db: Kysely<any>, scope: FilterScope, id: unknown): Promise<boolean> {
  if (isSuperuser(scope.info)) return true;
  const rule = scope.collection.auth?.manageRule;
  if (scope.collection.type !== 'auth' || !rule || !scope.info.auth) return false;
  const compiled = compileRuleWhere(scope, rule);
  if (compiled === 'allow' || compiled === 'deny') return compiled === 'allow';
  const table = scope.alias;
  const row = await db.selectFrom(`${scope.collection.name} as ${table}`).select(`${table}.id`).where(`${table}.id`, '=', id).where(compiled).executeTakeFirst();
  return row !== undefined;
}

/** True when `checkManageAccess` could grant anything to this caller (saves a query when it cannot). */
export function mayHoldManageAccess(collection: CollectionModel, info: RequestInfo): boolean {
  return collection.type === 'auth' && !!collection.auth?.manageRule && info.auth !== null;
}
