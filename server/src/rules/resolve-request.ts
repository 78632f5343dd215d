/**
 * `@request.*` identifiers: static values of the request bound as parameters (`query`, `headers`, `body`,
 * `method`, `context`, the auth record's plain fields), and the ones that join: `@request.auth.<field>`
 * and `@request.body.<relation>.<field>`, plus the body modifiers `:each :length :lower :changed :isset`.
 * wire: PocketBase's record_field_resolver*.go (resolveStaticRequestField, processRequest*).
 */
import { sql, type SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import {
  boolOperand,
  columnOperand,
  NULL_OPERAND,
  type ResolveContext,
  type SqlOperand,
} from '../query/resolver.ts';
import { castToString, castToUniqueStrings } from '../schema/fields/coerce.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { FieldModel } from '../schema/model.ts';
import { findRelationIdSpace, withIdSpace } from './auth-id-space.ts';
import { addPathJoin, isMultiValuer, mmAliasOf, splitModifier, walkFieldPath, type PathState, type ResolverCore } from './resolve-path.ts';

/** wire: these `@request.auth.*` fields are read from the auth record; any other joins its collection. */
const PLAIN_AUTH_FIELDS = new Set(['id', 'collectionId', 'collectionName', 'email', 'emailVisibility', 'verified']);

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function authExport(core: ResolverCore): Record<string, unknown> | null {
  const auth = core.info?.auth;
  if (!auth) return null;
  const out: Record<string, unknown> = { collectionId: auth.collection.id, collectionName: auth.collection.name };
  for (const key of ['id', 'email', 'emailVisibility', 'verified']) {
    if (!Object.hasOwn(auth.record, key)) continue;
    const field = core.schema.findField(auth.collection, key);
    const v = auth.record[key];
    out[key] = field && fieldTypeOf(field).filterKind(field) === 'bool' && typeof v === 'number' ? v !== 0 : v;
  }
  return out;
}

/** Own keys of objects, indexes of arrays; anything else has no inside (wire: extractNestedVal). */
function lookup(root: unknown, keys: readonly string[]): { found: boolean; value: unknown } {
  let cur = root;
  for (const key of keys) {
    if (Array.isArray(cur)) {
      const i = /^[+-]?\d+$/.test(key) ? Number(key) : -1;
      if (!(i >= 0 && i < cur.length)) return { found: false, value: undefined };
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.hasOwn(cur, key)) return { found: false, value: undefined };
      cur = (cur as Record<string, unknown>)[key];
    } else return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

/** A static `@request.<path>` value. `path` starts after `@request`. */
function resolveStaticRequest(core: ResolverCore, path: readonly string[]): SqlOperand {
  const [last, modifier] = splitModifier(path[path.length - 1]!);
  const info = core.info!;
  const root = { context: info.context, method: info.method, query: info.query, headers: info.headers, body: info.body, auth: authExport(core) };
  const { found, value: raw } = lookup(root, [...path.slice(0, -1), last]);
  if (modifier === 'isset') return boolOperand(found);
  if (modifier !== '' && modifier !== 'lower') {
    throw new GalleyError('invalid', `the :${modifier} modifier does not apply to @request.${path.join('.')}`);
  }
  let value: unknown = raw;
  if (typeof raw === 'string') {
    // wire: a numeric string compared as a number when the collection has a number field of that name
    const field = core.schema.findField(core.collection, last);
    if (field && fieldTypeOf(field).filterKind(field) === 'number' && GO_FLOAT.test(raw)) value = Number(raw);
  } else if (raw !== null && raw !== undefined && typeof raw === 'object') value = JSON.stringify(raw);
  // as SQLite's driver binds it: node-postgres would send 'true', equal to neither a galley_bool column nor the
  // filter's `true` keyword (the dialect's bit(), 1), so `@request.auth.verified = true` failed for every caller there
  else if (typeof raw === 'boolean') value = raw ? 1 : 0;
  if (value === null || value === undefined) return NULL_OPERAND;
  if (modifier === 'lower') {
    return { render: (map) => core.dialect.lower(sql.val(map ? map(value) : value)), values: [value], nullFallback: 'auto' };
  }
  return { render: (map) => sql.val(map ? map(value) : value), values: [value], nullFallback: 'auto' };
}

/** wire: nil → [], a non-array → [value] (toSlice). */
const toList = (v: unknown): unknown[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);

function requireMultiValuer(field: FieldModel): void {
  if (!isMultiValuer(field)) throw new GalleyError('invalid', `field ${JSON.stringify(field.name)} has no multiple values`);
}

function resolveBodyField(core: ResolverCore, field: FieldModel, modifier: string, ctx: ResolveContext): SqlOperand | undefined {
  const body = core.info!.body;
  const raw = Object.hasOwn(body, field.name) ? body[field.name] : undefined;
  switch (modifier) {
    case 'length': {
      requireMultiValuer(field);
      return columnOperand(sql.lit(toList(raw).length));
    }
    case 'lower': {
      const text = castToString(raw);
      return { render: (map) => core.dialect.lower(sql.val(map ? map(text) : text)), values: [text], nullFallback: 'auto' };
    }
    case 'changed': {
      const n = field.name;
      const cond = ctx.compileSubFilter(`@request.body.${n}:isset = true && @request.body.${n} != ${n}`);
      return columnOperand(sql<SqlBool>`(${cond})`, { nullFallback: 'disabled' });
    }
    case 'each': {
      requireMultiValuer(field);
      const json = JSON.stringify(toList(raw));
      const alias = `@request.body.${field.name}:each${core.suffix}`;
      const st = newState(core, alias);
      addPathJoin(core, st, (n) => ({ alias: n(alias), source: core.dialect.jsonEach(sql.val(json)), on: null }));
      const multi = fieldTypeOf(field).isMulti(field)
        ? { joins: st.mmJoins, value: core.dialect.jsonEachValue(mmAliasOf(core, alias)), nullFallback: 'auto' as const }
        : undefined;
      // wire: the submitted items count as a known non-empty literal
      return { render: () => core.dialect.jsonEachValue(alias), values: [json], nullFallback: 'auto', multi };
    }
    default:
      return undefined;
  }
}

function newState(core: ResolverCore, alias: string): PathState {
  return { collection: core.collection, alias, multi: false, nullifyMissing: true, mmJoins: [] };
}

/** `@request.body.<relation>.<field…>`: the records of the submitted ids. */
function resolveBodyRelation(core: ResolverCore, field: FieldModel, rest: readonly string[]): SqlOperand | null {
  const rel = fieldTypeOf(field).relation!(field)!;
  const target = core.schema.findCollection(rel.collectionId);
  if (!target) throw new GalleyError('invalid', `the collection of ${JSON.stringify(field.name)} does not exist`);
  const ids = castToUniqueStrings(core.info!.body[field.name]);
  if (ids.length === 0) return NULL_OPERAND;
  const alias = `@request.body.${field.name}${core.suffix}`;
  const st = newState(core, alias);
  const idList = sql.join(ids.map((id) => sql.val(id)));
  const joined = addPathJoin(
    core,
    st,
    (n) => ({ alias: n(alias), source: sql.id(target.name), on: sql<SqlBool>`${sql.id(n(alias), 'id')} IN (${idList})` }),
    target,
  );
  if (!joined) return null;
  st.collection = target;
  st.multi = rel.multi;
  return walkFieldPath(core, st, rest);
}

/** The auth record's values as a one-row table, each typed as its column (an untyped parameter is text on PostgreSQL). */
function authRecordValues(core: ResolverCore, fields: readonly FieldModel[], record: Record<string, unknown>) {
  const columns = fields.map((f) => {
    const v = record[f.name];
    const value = sql.val(v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);
    const type = fieldTypeOf(f).column(f)?.type;
    return sql`${type ? core.dialect.typedValue(value, type) : value} AS ${sql.id(f.name)}`;
  });
  return sql`(SELECT ${sql.join(columns)})`;
}

/** `@request.auth.<field…>` beyond the plain fields: the auth record's row joined by id (or its values: AuthInfo.fromRecord). */
function resolveAuthField(core: ResolverCore, name: string, props: readonly string[]): SqlOperand | null {
  const auth = core.info!.auth;
  if (!auth) return NULL_OPERAND; // wire: a guest's @request.auth.* is NULL
  if (props.length === 3 && PLAIN_AUTH_FIELDS.has(props[2]!)) {
    const operand = resolveStaticRequest(core, props.slice(1));
    // the caller's id is an id of its own collection only (see auth-id-space.ts)
    return props[2] === 'id' ? { ...operand, idSpace: auth.collection.id } : operand;
  }
  const alias = `@request.auth${core.suffix}`;
  const st = newState(core, alias);
  const id = String(auth.record['id'] ?? '');
  const source = auth.fromRecord ? authRecordValues(core, auth.collection.fields, auth.record) : sql.id(auth.collection.name);
  const joined = addPathJoin(
    core,
    st,
    (n) => ({ alias: n(alias), source, on: sql<SqlBool>`${sql.id(n(alias), 'id')} = ${id}` }),
    auth.collection,
  );
  if (!joined) return null;
  st.collection = auth.collection;
  return walkFieldPath(core, st, props.slice(2));
}

/** Any identifier starting with `@request.` (already matched against the allowed patterns). */
export function resolveRequestIdentifier(core: ResolverCore, name: string, ctx: ResolveContext): SqlOperand | null {
  if (!core.info) return NULL_OPERAND;
  const props = name.split('.');
  if (props[1] === 'auth') return resolveAuthField(core, name, props);
  if (props[1] === 'body' && props.length > 2) {
    const [fieldName, modifier] = splitModifier(props[2]!);
    const field = core.schema.findField(core.collection, fieldName);
    if (field) {
      if (props.length > 3 && fieldTypeOf(field).relation?.(field)) return resolveBodyRelation(core, field, props.slice(3));
      if (props.length === 3) {
        const special = resolveBodyField(core, field, modifier, ctx);
        if (special) return special;
        // submitted ids of a relation to an auth collection are ids of that collection only
        if (modifier === '') return withIdSpace(resolveStaticRequest(core, props.slice(1)), findRelationIdSpace(core.schema, field))!;
      }
    }
  }
  return resolveStaticRequest(core, props.slice(1));
}
