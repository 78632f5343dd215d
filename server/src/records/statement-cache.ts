import type { CompiledQuery, Expression, SqlBool } from 'kysely';
import { LruMap } from '../lib/lru.ts';
import type { Schema } from '../schema/model.ts';

/**
 * Compiled pieces that depend on nothing from the request, reused across requests. A rule or filter is
 * request-free when it has no `@` (no @request, @collection or datetime macro: those bind per-request
 * values) and, for client filters, no relation path (joins check the joined collection's listRule,
 * which may read @request). Keys hold everything else they depend on; one cache per loaded schema,
 * so a schema reload starts empty.
 */
export function isRequestFree(text: string, opts: { joins: boolean }): boolean {
  if (text.includes('@')) return false;
  if (!opts.joins && (text.includes('.') || text.includes('_via_'))) return false;
  return true;
}

interface Caches {
  expressions: LruMap<string, Expression<SqlBool> | null>;
  queries: LruMap<string, CompiledQuery>;
  /** what a request-free list worked out once: its statement and whether it runs aside (records/list.ts) */
  plans: LruMap<string, unknown>;
}

// keyed by the schema object: each app builds its own, it never changes (a reload swaps it), and the cache goes with it
const bySchema = new WeakMap<Schema, Caches>();

function cachesOf(schema: Schema): Caches {
  let c = bySchema.get(schema);
  if (!c) bySchema.set(schema, (c = { expressions: new LruMap(2000), queries: new LruMap(2000), plans: new LruMap(2000) }));
  return c;
}

export function cachedExpression(
  schema: Schema,
  key: string,
  build: () => Expression<SqlBool> | null,
): Expression<SqlBool> | null {
  const cache = cachesOf(schema).expressions;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = build();
  cache.set(key, value);
  return value;
}

/**
 * A value worked out once per key and schema (a list's statement with its cost verdict). `build` may throw:
 * nothing is kept then, so the next request with the key throws the same way.
 */
export function cachedPlan<T>(schema: Schema, key: string, build: () => T): T {
  const cache = cachesOf(schema).plans;
  const hit = cache.get(key);
  if (hit !== undefined) return hit as T;
  const value = build();
  cache.set(key, value);
  return value;
}

/** A marker parameter that templates replace per request (never a value a client can send: it has NULs). */
export const PARAM_SLOT = '\u0000galley:slot\u0000';

/** A compiled statement whose PARAM_SLOT parameters are replaced by `values`, in order. */
export function cachedQuery(schema: Schema, key: string, build: () => CompiledQuery, values: unknown[] = []): CompiledQuery {
  const cache = cachesOf(schema).queries;
  let compiled = cache.get(key);
  if (!compiled) cache.set(key, (compiled = build()));
  if (values.length === 0) return compiled;
  // a loop and a literal rather than map + spread: this runs on every get by id, where they were a visible share
  const template = compiled.parameters;
  const parameters: unknown[] = [];
  for (let i = 0, next = 0; i < template.length; i++) parameters.push(template[i] === PARAM_SLOT ? values[next++] : template[i]);
  return { sql: compiled.sql, parameters, query: compiled.query, queryId: compiled.queryId };
}
