/**
 * Field paths of the filter language over the schema: `field`, `rel.field` (up to 6 relation hops),
 * `coll_via_rel.field` back-relations, JSON paths, and the `:length :each :lower` modifiers.
 * Each hop is joined twice: into the statement's join scope, and into the operand's own all-of
 * subquery (aliases there are prefixed `mm:`). For a non-superuser's filter, each joined collection's
 * listRule guards both: the scope through the registry, the all-of subquery through `mmConditions`.
 * wire: PocketBase's core/record_field_resolver_runner.go (processActiveProps, finalize…).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import type { FilterDialect } from '../query/dialect.ts';
import { MAX_RELATION_DEPTH } from '../query/limits.ts';
import { columnOperand, NULL_OPERAND, type Join, type NullFallback, type SqlOperand } from '../query/resolver.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';
import type { CollectionModel, FieldModel, Schema } from '../schema/model.ts';
import type { JoinRegistry } from './join-registry.ts';
import type { RequestInfo } from './request-info.ts';

/** One resolving context: the main filter, or a listRule check nested in it. */
export interface ResolverCore {
  readonly schema: Schema;
  readonly collection: CollectionModel;
  /** SQL alias of `collection`'s row (the outer query's alias, or a join of the outer context) */
  readonly alias: string;
  readonly info: RequestInfo | null;
  /** Rules and superusers: hidden fields readable, no listRule checks, no email-visibility guard. */
  readonly allowHidden: boolean;
  readonly dialect: FilterDialect;
  readonly registry: JoinRegistry;
  /** Appended to the aliases this context starts, so a nested check's joins never merge with the filter's. */
  readonly suffix: string;
  /** Why the last identifier was refused (for logs). */
  readonly notes: { refusal?: string };
  /** `id = '' || <listRule of collection>` over the row of `alias`, self-contained (its joins in an EXISTS). */
  readonly compileListCheck: (collection: CollectionModel, alias: string) => Expression<SqlBool>;
  /**
   * Sort keys: a joined row the caller may not list reads as NULL (`PathState.rowChecks`) instead of
   * adding its listRule to the statement's WHERE (a sort orders, it never removes records).
   */
  readonly sortMode?: boolean;
}

/** Where a path walk stands: the table reached, its alias, and what the all-of subquery has joined. */
export interface PathState {
  collection: CollectionModel;
  alias: string;
  multi: boolean;
  /** `@request.*` paths answer NULL for a missing field instead of failing (wire) */
  nullifyMissing: boolean;
  readonly mmJoins: Join[];
  /** What an item of the all-of subquery must meet to count: the listRule of each collection it joined. */
  mmConditions?: Expression<SqlBool>[];
  /** Sort mode: the listRule checks of the rows joined on the way, over the statement's aliases. */
  rowChecks?: Expression<SqlBool>[];
}

const MODIFIERS = new Set(['isset', 'each', 'length', 'lower', 'changed']);
const VIA = /^(\w+)_via_(\w+)$/;

/** `:isset`/`:changed` read request values (`@request.*`); `:each`/`:length` need several values. */
function invalidFieldModifier(field: FieldModel, modifier: string): GalleyError {
  const why = modifier === 'isset' || modifier === 'changed' ? 'only @request.* values take it' : 'only select, file and relation fields take it';
  return new GalleyError('invalid', `the :${modifier} modifier does not apply to the field ${JSON.stringify(field.name)} (${why})`);
}

/** `name:modifier` → [name, modifier]; wire: more than one `:` is no modifier at all (the field then misses). */
export function splitModifier(prop: string): [string, string] {
  const parts = prop.split(':');
  if (parts.length !== 2) return [prop, ''];
  if (!MODIFIERS.has(parts[1]!)) throw new GalleyError('invalid', `unknown modifier ":${parts[1]}" in ${JSON.stringify(prop)}`);
  return [parts[0]!, parts[1]!];
}

/** select, file and relation fields (single or multiple) take `:each` and `:length`. */
export function isMultiValuer(field: FieldModel): boolean {
  const type = fieldTypeOf(field);
  return type.filterKind(field) === 'multi' || Boolean(type.relation?.(field)) || typeof field.maxSelect === 'number';
}

export function mmAliasOf(core: ResolverCore, alias: string): string {
  return alias === core.alias ? alias : `mm:${alias}`;
}

/** Alias of a join one hop from `parent`. */
export function childAlias(core: ResolverCore, parent: string, segment: string): string {
  return parent === core.alias ? `${parent}${core.suffix}.${segment}` : `${parent}.${segment}`;
}

/** Register a join (built once per namespace: `n` maps a main alias to its name there). False when refused. */
export function addPathJoin(
  core: ResolverCore,
  st: PathState,
  build: (n: (alias: string) => string) => Join,
  joined?: CollectionModel,
): boolean {
  const checked = joined !== undefined && !core.allowHidden;
  const join = build((a) => a);
  if ((checked && joined.listRule === null) || !core.registry.add(join, joined, checked && !core.sortMode)) {
    core.notes.refusal = `the listRule of ${JSON.stringify(joined?.name)} is null (superusers only)`;
    return false;
  }
  const mmJoin = build((a) => mmAliasOf(core, a));
  st.mmJoins.push(mmJoin);
  if (checked && joined.listRule !== '') {
    if (core.sortMode) (st.rowChecks ??= []).push(core.compileListCheck(joined, join.alias));
    else (st.mmConditions ??= []).push(core.compileListCheck(joined, mmJoin.alias));
  }
  return true;
}

const missing = (core: ResolverCore, st: PathState, name: string): SqlOperand | null => {
  if (st.nullifyMissing) return NULL_OPERAND;
  core.notes.refusal = `no field ${JSON.stringify(name)} in ${JSON.stringify(st.collection.name)}`;
  return null;
};
const hiddenFrom = (core: ResolverCore, field: FieldModel): boolean => {
  if (!field.hidden || core.allowHidden) return false;
  core.notes.refusal = `field ${JSON.stringify(field.name)} is hidden`;
  return true;
};

/** Walk `props` from `st`; null when a field is unknown or hidden from this caller. */
export function walkFieldPath(core: ResolverCore, st: PathState, props: readonly string[]): SqlOperand | null {
  for (let i = 0; i < props.length; i++) {
    const prop = props[i]!;
    if (i === props.length - 1) return finalizeField(core, st, prop);
    const field = core.schema.findField(st.collection, prop);
    if (field && hiddenFrom(core, field)) return null;
    const kind = field ? fieldTypeOf(field).filterKind(field) : null;
    if (field && (kind === 'json' || kind === 'geo')) return resolveJsonPath(core, st, field, props.slice(i + 1));
    if (i >= MAX_RELATION_DEPTH) {
      throw new GalleyError('invalid', `too many relation levels at ${JSON.stringify(prop)} (max ${MAX_RELATION_DEPTH})`);
    }
    if (!field) {
      const via = joinBackRelation(core, st, prop);
      if (via !== 'joined') return via;
      continue;
    }
    const rel = fieldTypeOf(field).relation?.(field);
    if (!rel) throw new GalleyError('invalid', `${JSON.stringify(prop)} is not a relation field`);
    const target = core.schema.findCollection(rel.collectionId);
    if (!target) throw new GalleyError('invalid', `the collection of ${JSON.stringify(prop)} does not exist`);
    // wire: `rel.id` of a single relation is the relation column itself, no join
    if (!rel.multi && i === props.length - 2 && props[i + 1] === 'id') return finalizeField(core, st, prop);
    const child = childAlias(core, st.alias, field.name);
    const parent = st.alias;
    if (rel.multi) {
      const each = `${child}[]`;
      addPathJoin(core, st, (n) => ({ alias: n(each), source: core.dialect.jsonEach(sql.id(n(parent), field.name)), on: null }));
      const joined = addPathJoin(
        core,
        st,
        (n) => ({ alias: n(child), source: sql.id(target.name), on: sql<SqlBool>`${sql.id(n(child), 'id')} = ${core.dialect.jsonEachValue(n(each))}` }),
        target,
      );
      if (!joined) return null;
      st.multi = true;
    } else {
      const joined = addPathJoin(
        core,
        st,
        (n) => ({ alias: n(child), source: sql.id(target.name), on: sql<SqlBool>`${sql.id(n(child), 'id')} = ${sql.id(n(parent), field.name)}` }),
        target,
      );
      if (!joined) return null;
    }
    st.collection = target;
    st.alias = child;
  }
  return null;
}

/** `coll_via_field`: records of `coll` whose relation `field` points at the current record. */
function joinBackRelation(core: ResolverCore, st: PathState, prop: string): 'joined' | SqlOperand | null {
  const m = VIA.exec(prop);
  const back = m ? core.schema.findCollection(m[1]!) : undefined;
  const backField = back ? core.schema.findField(back, m![2]!) : undefined;
  const rel = backField ? fieldTypeOf(backField).relation?.(backField) : null;
  if (!back || !backField || !rel) return missing(core, st, prop);
  if (hiddenFrom(core, backField)) return null;
  if (core.schema.findCollection(rel.collectionId)?.id !== st.collection.id) return missing(core, st, prop);
  const child = childAlias(core, st.alias, prop);
  const parent = st.alias;
  const on = (n: (a: string) => string): Expression<SqlBool> =>
    rel.multi
      ? sql<SqlBool>`${sql.id(n(parent), 'id')} IN (SELECT ${core.dialect.jsonEachValue('__je')} FROM ${core.dialect.jsonEach(sql.id(n(child), backField.name))} AS ${sql.id('__je')})`
      : sql<SqlBool>`${sql.id(n(child), backField.name)} = ${sql.id(n(parent), 'id')}`;
  if (!addPathJoin(core, st, (n) => ({ alias: n(child), source: sql.id(back.name), on: on(n) }), back)) return null;
  // wire: a back-relation is multi-valued unless its field is single and has a single-column UNIQUE index
  st.multi = st.multi || rel.multi || !findSingleColumnUniqueIndex(back.indexes, backField.name);
  st.collection = back;
  st.alias = child;
  return 'joined';
}

/** `json.a.0.b` / `geo.lon`: the rest of the path is a JSON path into the column. */
function resolveJsonPath(core: ResolverCore, st: PathState, field: FieldModel, rest: readonly string[]): SqlOperand {
  const path = rest.map((p): string | number => {
    if (/^\d+$/.test(p) && Number.isSafeInteger(Number(p))) return Number(p);
    return p.replace(/[^\w.*\-@#]+/g, ''); // wire: PocketBase strips other characters (e.g. a `:modifier`)
  });
  const at = (alias: string) => core.dialect.jsonExtract(sql.id(alias, field.name), path);
  return columnOperand(at(st.alias), { nullFallback: 'disabled', multi: multiOf(core, st, at(mmAliasOf(core, st.alias)), 'disabled') });
}

function multiOf(core: ResolverCore, st: PathState, value: Expression<unknown>, nullFallback: NullFallback, guard?: Expression<SqlBool>) {
  const conditions = [...(st.mmConditions ?? []), ...(guard ? [guard] : [])];
  return st.multi ? { joins: st.mmJoins, value, nullFallback, conditions } : undefined;
}

/** The last segment: a field of the current table, with an optional modifier. */
function finalizeField(core: ResolverCore, st: PathState, prop: string): SqlOperand | null {
  const [name, modifier] = splitModifier(prop);
  const field = core.schema.findField(st.collection, name);
  if (!field) return missing(core, st, name);
  if (hiddenFrom(core, field)) return null;
  const type = fieldTypeOf(field);
  const d = core.dialect;
  const column = (alias: string) => sql.id(alias, field.name);
  const mm = mmAliasOf(core, st.alias);

  if (modifier === 'length' && isMultiValuer(field)) {
    return columnOperand(d.jsonArrayLength(column(st.alias)), { multi: multiOf(core, st, d.jsonArrayLength(column(mm)), 'auto') });
  }
  if (modifier === 'each' && isMultiValuer(field)) {
    const each = `${childAlias(core, st.alias, field.name)}[]`;
    const parent = st.alias;
    addPathJoin(core, st, (n) => ({ alias: n(each), source: d.jsonEach(column(n(parent))), on: null }));
    if (type.isMulti(field)) st.multi = true;
    return columnOperand(d.jsonEachValue(each), { multi: multiOf(core, st, d.jsonEachValue(mmAliasOf(core, each)), 'auto') });
  }

  // Galley refuses what PocketBase ignores here (schema/check-rule-paths.ts refuses it in rules at load)
  if (modifier !== '' && modifier !== 'lower') throw invalidFieldModifier(field, modifier);
  const isJson = type.filterKind(field) === 'json';
  let value: Expression<unknown> = isJson ? d.jsonExtract(column(st.alias), []) : column(st.alias);
  let mmValue: Expression<unknown> = isJson ? d.jsonExtract(column(mm), []) : column(mm);
  if (modifier === 'lower') {
    value = d.lower(value);
    mmValue = d.lower(mmValue);
  }
  const nullFallback: NullFallback = isJson ? 'disabled' : 'auto';
  // wire: a non-superuser may only match auth records whose email is public (all-of items too)
  const guardEmail = field.name === 'email' && st.collection.type === 'auth' && !core.allowHidden;
  const guardOf = (alias: string) => (guardEmail ? d.isTrue(sql.id(alias, 'emailVisibility')) : undefined);
  return columnOperand(value, { nullFallback, multi: multiOf(core, st, mmValue, nullFallback, guardOf(mm)), guard: guardOf(st.alias) });
}
