/**
 * Which subscriber groups may see a record, in SQL, for many groups at once. Each group's check is one
 * `SELECT ? AS g FROM <row> WHERE <rule> AND <filter>` compiled once (per broker, schema, group and auth version)
 * with its record values left as slots; an event fills the slots and runs the checks as one UNION ALL, so
 * 1000 subscribers cost one statement, and a rule that reads nothing from the request is one check for all.
 *
 * `<row>` is the table itself (create/update: the record as committed, joined data as it is now) or, for a
 * delete, the deleted row's values as a derived table under the collection's name (the row is gone by
 * then; joined data is judged as it is after the delete), each value typed as its column (dialect.typedValue).
 * The checks are compiled apart, so the dialect renumbers each one's parameters where the union puts them
 * (PostgreSQL's `$n`; SQLite's `?` join as they are).
 */
import { CompiledQuery, sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Core } from '../core.ts';
import { LruMap } from '../lib/lru.ts';
import type { FilterDialect } from '../query/dialect.ts';
import { ruleClause, scopeOf } from '../records/access.ts';
import { PARAM_SLOT } from '../records/statement-cache.ts';
import { parseFilter } from '../query/parser.ts';
import { compileFilterWhere } from '../rules/compile-filter.ts';
import { checkQueryCost } from '../rules/filter-cost.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel, FieldModel, Schema } from '../schema/model.ts';

export type RowSource = 'table' | 'values';

export interface AccessProbe {
  /** the group's key: probes with one key are one check */
  key: string;
  info: RequestInfo;
  rule: 'listRule' | 'viewRule';
  /** the subscription's `filter` option ("" for none) */
  filter: string;
}

type Fragment = 'allow' | 'deny' | { query: CompiledQuery; slots: number[] };

const MAX_BRANCHES = 200;
const MAX_PARAMS = 20_000;
/** Compiled checks are kept past their subscribers; a filter option may be 2500 characters, so bytes are capped too. */
const MAX_FRAGMENTS = 20_000;
const MAX_FRAGMENT_BYTES = 16 * 1024 * 1024;

interface FragmentCache {
  get(key: string): Fragment | undefined;
  set(key: string, fragment: Fragment): void;
}

/**
 * The compiled checks of one broker (`core.realtime.accessChecks`): per broker, so per app and so per database
 * dialect, and for one schema object. A schema never changes (a reload swaps it), so the first check after a
 * swap drops every check compiled against the old one.
 */
export interface AccessChecks {
  fragmentsFor(schema: Schema): FragmentCache;
}

export function createAccessChecks(): AccessChecks {
  let compiledFor: Schema | undefined;
  let fragments: FragmentCache | undefined;
  return {
    fragmentsFor(schema) {
      if (fragments && compiledFor === schema) return fragments;
      compiledFor = schema;
      return (fragments = createFragmentCache());
    },
  };
}

/** Roughly what an entry holds (UTF-16 strings: key, SQL, string parameters). */
function estimateFragmentBytes(key: string, fragment: Fragment): number {
  if (typeof fragment === 'string') return 2 * key.length + 64;
  let bytes = 2 * (key.length + fragment.query.sql.length) + 256;
  for (const p of fragment.query.parameters) if (typeof p === 'string') bytes += 2 * p.length;
  return bytes;
}

function createFragmentCache(): FragmentCache {
  let bytes = 0;
  const lru = new LruMap<string, Fragment>(MAX_FRAGMENTS, (fragment, key) => (bytes -= estimateFragmentBytes(key, fragment)));
  return {
    get: (key) => lru.get(key),
    set(key, fragment) {
      if (lru.get(key) === fragment) return;
      lru.set(key, fragment);
      bytes += estimateFragmentBytes(key, fragment);
      while (bytes > MAX_FRAGMENT_BYTES && lru.size > 1) lru.delete(lru.keys().next().value!);
    },
  };
}

/** wire: PocketBase checks the rule, then the option filter as a client filter; any error denies. */
function compileProbeWhere(schema: Schema, collection: CollectionModel, probe: AccessProbe, dialect: FilterDialect): Expression<SqlBool>[] | 'deny' {
  const scope = scopeOf(schema, collection, probe.info, dialect);
  if (!isSuperuser(probe.info) && collection[probe.rule] === null) return 'deny';
  try {
    const parts: Expression<SqlBool>[] = [];
    const rule = ruleClause(scope, probe.rule);
    if (rule) parts.push(rule);
    if (probe.filter !== '') {
      parts.push(compileFilterWhere(scope, probe.filter, 'client'));
      // a filter over the cost budget (rules/filter-cost.ts) denies, as any filter error does
      checkQueryCost({ ...scope, rule: null, filter: parseFilter(probe.filter), sortKeys: [], enforceListRules: !isSuperuser(probe.info) });
    }
    return parts;
  } catch {
    return 'deny';
  }
}

/** A deleted row's value slot, typed as its column (an untyped parameter is text on PostgreSQL). */
function valueSlot(field: FieldModel, dialect: FilterDialect): RawBuilder<unknown> {
  const slot = sql`${PARAM_SLOT}`;
  const type = fieldTypeOf(field).column(field)?.type;
  return type ? sql`${dialect.typedValue(slot, type)}` : slot;
}

function buildFragment(db: Kysely<any>, dialect: FilterDialect, collection: CollectionModel, source: RowSource, where: Expression<SqlBool>[]): Fragment {
  if (where.length === 0) return 'allow';
  const table = collection.name;
  const slot = () => sql`${PARAM_SLOT}`;
  let q =
    source === 'table'
      ? db.selectFrom(table).select(slot().as('g')).where(`${table}.id`, '=', PARAM_SLOT)
      : db.selectFrom(db.selectNoFrom(collection.fields.map((f) => valueSlot(f, dialect).as(f.name))).as(table)).select(slot().as('g'));
  for (const part of where) q = q.where(part);
  // only the text and parameters are kept: the compiled query's operation tree is many times their size
  const compiled = q.compile();
  const query = CompiledQuery.raw(compiled.sql, [...compiled.parameters]);
  const slots: number[] = [];
  query.parameters.forEach((p, i) => p === PARAM_SLOT && slots.push(i));
  return { query, slots };
}

/**
 * A value as both databases compare it: booleans are the numbers 1/0 (SQLite's driver binds them so, PostgreSQL's
 * sends 'true', which equals neither a galley_bool column nor the filter's `true` keyword, an inline '1').
 */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** The keys of the probes that may see `row`, judged now. */
export async function findPassingProbes(
  core: Core,
  collection: CollectionModel,
  row: Record<string, unknown>,
  source: RowSource,
  probes: readonly AccessProbe[],
): Promise<Set<string>> {
  const schema = core.schema;
  const dialect = core.db.dialect;
  const cache = core.realtime.accessChecks.fragmentsFor(schema);
  const passing = new Set<string>();
  const queued: Array<{ key: string; fragment: Exclude<Fragment, 'allow' | 'deny'> }> = [];
  for (const probe of probes) {
    const cacheKey = `${source}|${collection.id}|${probe.key}`;
    let fragment = cache.get(cacheKey);
    if (fragment === undefined) {
      const where = compileProbeWhere(schema, collection, probe, dialect);
      fragment = where === 'deny' ? 'deny' : buildFragment(core.db.read, dialect, collection, source, where);
      cache.set(cacheKey, fragment);
    }
    if (fragment === 'allow') passing.add(probe.key);
    else if (fragment !== 'deny') queued.push({ key: probe.key, fragment });
  }
  const rowValues = source === 'table' ? [row['id']] : collection.fields.map((f) => bindable(row[f.name]));
  for (let start = 0; start < queued.length; ) {
    const texts: string[] = [];
    const params: unknown[] = [];
    let end = start;
    while (end < queued.length && texts.length < MAX_BRANCHES && (texts.length === 0 || params.length + queued[end]!.fragment.query.parameters.length <= MAX_PARAMS)) {
      const { query, slots } = queued[end]!.fragment;
      const values = [end, ...rowValues];
      // a rule's own values too: `@request.auth.verified` is a boolean in the compiled check (resolve-request.ts)
      const filled = query.parameters.map(bindable);
      slots.forEach((at, i) => (filled[at] = values[i]));
      texts.push(dialect.shiftParameters(query.sql, params.length));
      params.push(...filled);
      end++;
    }
    const result = await core.db.read.executeQuery(CompiledQuery.raw(texts.join(' UNION ALL '), params));
    for (const r of result.rows as Array<{ g: unknown }>) passing.add(queued[Number(r.g)]!.key);
    start = end;
  }
  return passing;
}
