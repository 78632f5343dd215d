/**
 * The filter compiler's PostgreSQL dialect (15+): the same answers as `sqliteDialect` over the same rows, where
 * PostgreSQL can give them; docs/postgresql.md lists where it cannot. It relies on the functions of
 * `POSTGRES_FILTER_FUNCTIONS` (installed by `db/open-postgres.ts`) and on the column types Galley gives PostgreSQL:
 * JSON values are `text` holding JSON (as on SQLite: the stored text is the wire text, byte for byte, key order and
 * all; jsonb would reorder keys and respace), numbers `double precision`, bools `double precision` 0/1 (so the
 * filter's `true`/`false` = 1/0 and any number compare with them as on SQLite), text `COLLATE "C"` (bytewise order,
 * SQLite's BINARY).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { GalleyError } from '../errors.ts';
import type { ColumnValueType, FilterDialect, OrderingOperator } from './dialect.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

const asText = (x: Expression<unknown>) => sql`CAST(${x} AS text)`;
/** wire: SQLite's LOWER and LIKE fold ASCII letters only; translate() does exactly that, whatever the locale. */
const foldAscii = (x: Expression<unknown>) => sql`translate(${asText(x)}, ${sql.lit(UPPER)}, ${sql.lit(LOWER)})`;
// wire: SQLite's math functions read text as a number, and non-numeric text as NULL
const radians = (deg: Expression<unknown>) => sql`radians(galley_real(${asText(deg)}))`;

/** JSON path segments as a text[] literal for `#>` (keys are `\w` only, checked by the resolver). */
function jsonPathArray(path: readonly (string | number)[]): Expression<unknown> {
  return sql`CAST(${sql.lit(`{${path.map(String).join(',')}}`)} AS text[])`;
}

/** A JSON value read by `jsonExtract`: its SQL is the text galley_json_extract gives, and it remembers where from. */
interface JsonValue extends Expression<unknown> {
  readonly galleyJson: { readonly value: Expression<unknown>; readonly path: readonly (string | number)[] };
}

function jsonValue(value: Expression<unknown>, path: readonly (string | number)[]): JsonValue {
  const text = sql`galley_json_extract(${asText(value)}, ${jsonPathArray(path)})`;
  return { expressionType: undefined, toOperationNode: () => text.toOperationNode(), galleyJson: { value, path } };
}

/** The column types of db/postgres-ddl.ts (text C-collated, as the columns are). */
const TYPED_VALUES: Record<ColumnValueType, (v: Expression<unknown>) => Expression<unknown>> = {
  text: (v) => sql`(CAST(${v} AS text) COLLATE "C")`,
  json: (v) => sql`(CAST(${v} AS text) COLLATE "C")`,
  numeric: (v) => sql`CAST(${v} AS double precision)`,
  boolean: (v) => sql`CAST(${v} AS galley_bool)`,
};

/**
 * `$n` only ever is a placeholder in Galley's compiled SQL: names are `\w` (quoted), values are bound, and the
 * dialect's own literals hold no `$` followed by a digit.
 */
const PLACEHOLDER = /\$(\d+)/g;

const jsonOf = (e: Expression<unknown>) => (e as Partial<JsonValue>).galleyJson;

/** The value a bound literal holds (`sql.val(3)`), or undefined for anything else. */
function literalValue(e: Expression<unknown>): unknown {
  const node = e.toOperationNode() as { kind: string; sqlFragments?: readonly string[]; parameters?: readonly { kind: string; value?: unknown; immediate?: boolean }[] };
  const only = node.kind === 'RawNode' && node.sqlFragments?.every((f) => f === '') && node.parameters?.length === 1 ? node.parameters[0] : undefined;
  if (only?.kind !== 'ValueNode') return undefined;
  // the `true`/`false` keywords (`bit`: an inline '1'/'0') are the numbers 1/0
  return (only as { immediate?: boolean }).immediate ? Number(only.value) : only.value;
}
const literalNumber = (e: Expression<unknown>) => (typeof literalValue(e) === 'number' ? (literalValue(e) as number) : undefined);
const isLiteral = (e: Expression<unknown>) => typeof literalValue(e) === 'number' || typeof literalValue(e) === 'string';

const FLIPPED: Record<OrderingOperator, OrderingOperator> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * wire: SQLite compares a JSON value with a bound number or text by the value's own type (json_extract keeps a
 * number a number, true/false are 1/0, and any text is greater than any number); galley_json_cmp(_text) give the
 * sign of that order.
 */
function compareJsonWith(json: JsonValue['galleyJson'], literal: Expression<unknown>): Expression<unknown> {
  if (literalNumber(literal) !== undefined) return sql`galley_json_cmp(${asText(json.value)}, ${jsonPathArray(json.path)}, ${literal})`;
  return sql`galley_json_cmp_text(${asText(json.value)}, ${jsonPathArray(json.path)}, CAST(${literal} AS text))`;
}

export const postgresDialect: FilterDialect = {
  name: 'postgres',
  // a pattern ending in a lone escape: SQLite matches nothing, PostgreSQL would raise an error
  like: (left, pattern, negate) => {
    const p = foldAscii(pattern);
    const like = sql<SqlBool>`${foldAscii(left)} LIKE ${p} ESCAPE '\\'`;
    const guarded = sql<SqlBool>`(CASE WHEN ${p} ~ '(^|[^\\\\])(\\\\\\\\)*\\\\$' THEN (${asText(left)} IS NULL AND NULL) ELSE ${like} END)`;
    return negate ? sql<SqlBool>`NOT ${guarded}` : guarded;
  },
  nullSafeEquals: (left, right, negate) => {
    const l = jsonOf(left);
    const r = jsonOf(right);
    let [a, b] = [left, right];
    if (l && isLiteral(right)) [a, b] = [compareJsonWith(l, right), sql`0`];
    else if (r && isLiteral(left)) [a, b] = [compareJsonWith(r, left), sql`0`];
    return negate ? sql<SqlBool>`${a} IS DISTINCT FROM ${b}` : sql<SqlBool>`${a} IS NOT DISTINCT FROM ${b}`;
  },
  containsPattern: (x) => sql`('%' || ${asText(x)} || '%')`,
  // a set-returning function in FROM is lateral: it may read the aliases joined before it
  jsonEach: (value) => sql`galley_json_each(${asText(value)})`,
  // a function returning a scalar set names its one column after the alias
  jsonEachValue: (alias) => sql.id(alias, alias),
  jsonArrayContainsAny: (array, values) =>
    sql<SqlBool>`exists (select 1 from galley_json_each(${asText(array)}) as _je where _je in (${sql.join(values.map((v) => sql`CAST(${v} AS text)`))}))`,
  jsonArrayLength: (v) => sql`galley_json_length(${asText(v)})`,
  jsonExtract: jsonValue,
  strftime: (args) => {
    // modifiers ('start of month', '+1 day', …) would need SQLite's whole date engine; refused, not guessed
    if (args.length > 2) throw new GalleyError('invalid', 'strftime(): modifiers are not supported on PostgreSQL');
    const [format, time] = args;
    return sql`galley_strftime(${asText(format!)}, ${time ? asText(time) : sql`'now'`})`;
  },
  random: () => sql`RANDOM()`,
  // the DDL gives every table a `_rowid_` identity column (insertion order, as SQLite's rowid)
  rowid: (alias) => sql.id(alias, '_rowid_'),
  geoDistance: (lonA, latA, lonB, latB) => {
    const dLat = sql`(${radians(latB)} - ${radians(latA)})`;
    const dLon = sql`(${radians(lonB)} - ${radians(lonA)})`;
    const h = sql`(power(sin(${dLat} / 2), 2) + cos(${radians(latA)}) * cos(${radians(latB)}) * power(sin(${dLon} / 2), 2))`;
    return sql`(2 * 6371 * asin(sqrt(LEAST(1, ${h}))))`;
  },
  lower: (x) => foldAscii(x),
  asComparableText: asText,
  coalesceEmpty: (x) => sql`COALESCE(${asText(x)}, '')`,
  isTrue: (x) => sql<SqlBool>`${x} = 1`,
  compare: (left, op, right) => {
    const l = jsonOf(left);
    const r = jsonOf(right);
    if (l && isLiteral(right)) return sql<SqlBool>`${compareJsonWith(l, right)} ${sql.raw(op)} 0`;
    if (r && isLiteral(left)) return sql<SqlBool>`${compareJsonWith(r, left)} ${sql.raw(FLIPPED[op])} 0`;
    // two bound numbers: untyped, PostgreSQL would compare them as text ('3' > '10')
    if (literalNumber(left) !== undefined && literalNumber(right) !== undefined) {
      return sql<SqlBool>`CAST(${left} AS double precision) ${sql.raw(op)} CAST(${right} AS double precision)`;
    }
    return sql<SqlBool>`${left} ${sql.raw(op)} ${right}`;
  },
  // an untyped literal: it takes the other side's type (1 for an integer or float column, '1' for JSON text)
  bit: (value) => sql.lit(String(value)),
  // a JSON value sorts by a text key in SQLite's order (NULL, numbers by value, texts); anything else is typed
  sortKey: (value) => {
    const json = jsonOf(value);
    return json ? sql`(galley_json_sort_key(${asText(json.value)}, ${jsonPathArray(json.path)}) COLLATE "C")` : value;
  },
  // PostgreSQL sorts NULL as the largest value, SQLite as the smallest
  orderNulls: (direction) => (direction === 'asc' ? 'first' : 'last'),
  // insertion order, as SQLite's scan gives ties (the DDL's identity column)
  tieBreak: (alias) => sql.id(alias, '_rowid_'),
  // an untyped parameter in a select list is text: a number rule over it would compare text, a bool one raise
  typedValue: (value, type) => TYPED_VALUES[type](value),
  // each compiled statement numbers its parameters from $1
  shiftParameters: (text, offset) => (offset === 0 ? text : text.replace(PLACEHOLDER, (_, n: string) => `$${Number(n) + offset}`)),
  // the NOCASE index is lower(column) (db/postgres-ddl.ts): lower() folds ASCII only on C-collated text, as NOCASE
  equalsNocase: (left, right) => sql<SqlBool>`lower(${left}) = lower(CAST(${right} AS text) COLLATE "C")`,
};

/**
 * The functions the dialect calls, as one idempotent script (CREATE OR REPLACE). SQLite's JSON functions read a
 * text that may not be JSON at all (a single relation id, a request value): `galley_jsonb` is that lenient parse
 * (NULL for invalid JSON; PostgreSQL 15 has neither `IS JSON` nor `pg_input_is_valid`). Scalars come out as SQLite's json_extract gives them:
 * strings unquoted, true/false as 1/0, null as NULL.
 */
export const POSTGRES_FILTER_FUNCTIONS = String.raw`
CREATE OR REPLACE FUNCTION galley_jsonb_checked(v text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF v IS NULL OR v !~ '^\s*[\[{"0-9tfn-]' THEN RETURN NULL; END IF;
  RETURN v::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- what Galley writes for a select/relation/file list (a flat array of strings) is valid JSON by its shape: cast it
-- directly; anything else goes through the exception block above (a subtransaction per call: ~7x slower)
CREATE OR REPLACE FUNCTION galley_jsonb(v text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v ~ '^\[("([^"\\\x01-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"(,"([^"\\\x01-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")*)?\]$'
      AND v !~ '\\u0000' THEN v::jsonb
    ELSE galley_jsonb_checked(v) END
$$;

CREATE OR REPLACE FUNCTION galley_real(v text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v ~ '^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$' THEN v::double precision END
$$;

CREATE OR REPLACE FUNCTION galley_json_scalar(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(j)
    WHEN 'string' THEN j #>> '{}'
    WHEN 'boolean' THEN CASE WHEN j = 'true'::jsonb THEN '1' ELSE '0' END
    WHEN 'null' THEN NULL
    ELSE j::text END
$$;

-- a value that is not a JSON array is one item: its raw text (wire: SQLite's json_array(value))
CREATE OR REPLACE FUNCTION galley_json_each(v text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT galley_json_scalar(e)
  FROM (SELECT galley_jsonb(v) AS j) AS s,
    jsonb_array_elements(CASE WHEN jsonb_typeof(s.j) = 'array' THEN s.j ELSE jsonb_build_array(v) END) AS e
$$;

-- scalar functions stay one SELECT without FROM, so the planner inlines them into the query
CREATE OR REPLACE FUNCTION galley_json_length(v text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN jsonb_typeof(galley_jsonb(v)) = 'array' THEN jsonb_array_length(galley_jsonb(v))
    WHEN v IS NULL OR v = '' THEN 0
    ELSE 1 END
$$;

CREATE OR REPLACE FUNCTION galley_json_extract(v text, path text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN galley_jsonb(v) IS NOT NULL THEN galley_json_scalar(galley_jsonb(v) #> path)
    WHEN cardinality(path) = 0 THEN v
    ELSE NULL END
$$;

-- the sign of (JSON value at path) minus n, in SQLite's order: a number or a bool (1/0) by value, any text (a
-- string, an object or array as JSON text, a non-JSON value at the root) above every number, NULL for null/missing
CREATE OR REPLACE FUNCTION galley_json_cmp(v text, path text[], n double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN galley_jsonb(v) IS NULL THEN CASE WHEN v IS NULL OR cardinality(path) > 0 THEN NULL ELSE 1 END
    WHEN jsonb_typeof(galley_jsonb(v) #> path) IS NULL OR jsonb_typeof(galley_jsonb(v) #> path) = 'null' THEN NULL
    WHEN jsonb_typeof(galley_jsonb(v) #> path) = 'number' THEN sign((galley_jsonb(v) #>> path)::double precision - n)::integer
    WHEN jsonb_typeof(galley_jsonb(v) #> path) = 'boolean' THEN
      sign((CASE WHEN galley_jsonb(v) #> path = 'true'::jsonb THEN 1 ELSE 0 END) - n)::integer
    ELSE 1 END
$$;

-- the same against a text: numbers and bools below every text, texts bytewise (objects and arrays as jsonb's text)
CREATE OR REPLACE FUNCTION galley_json_cmp_text(v text, path text[], t text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN t IS NULL THEN NULL
    WHEN galley_jsonb(v) IS NULL THEN CASE WHEN v IS NULL OR cardinality(path) > 0 THEN NULL
      WHEN v COLLATE "C" < t COLLATE "C" THEN -1 WHEN v = t THEN 0 ELSE 1 END
    WHEN jsonb_typeof(galley_jsonb(v) #> path) IS NULL OR jsonb_typeof(galley_jsonb(v) #> path) = 'null' THEN NULL
    WHEN jsonb_typeof(galley_jsonb(v) #> path) IN ('number', 'boolean') THEN -1
    WHEN galley_json_scalar(galley_jsonb(v) #> path) COLLATE "C" < t COLLATE "C" THEN -1
    WHEN galley_json_scalar(galley_jsonb(v) #> path) = t THEN 0
    ELSE 1 END
$$;

-- a float8 as text in numeric order: IEEE bytes, the sign bit flipped for positives, all bits for negatives
CREATE OR REPLACE FUNCTION galley_number_sort_key(x double precision) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN x + 0.0 >= 0 THEN 'p' || encode(float8send(x + 0.0), 'hex')
    ELSE 'n' || translate(encode(float8send(x), 'hex'), '0123456789abcdef', 'fedcba9876543210') END
$$;

-- the sort key of a JSON value in SQLite's order: NULL (null, missing), then numbers and bools by value, then texts
CREATE OR REPLACE FUNCTION galley_json_sort_key(v text, path text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN galley_jsonb(v) IS NULL THEN CASE WHEN v IS NULL OR cardinality(path) > 0 THEN NULL ELSE '2' || v END
    WHEN jsonb_typeof(galley_jsonb(v) #> path) IS NULL OR jsonb_typeof(galley_jsonb(v) #> path) = 'null' THEN NULL
    WHEN jsonb_typeof(galley_jsonb(v) #> path) = 'number' THEN '1' || galley_number_sort_key((galley_jsonb(v) #>> path)::double precision)
    WHEN jsonb_typeof(galley_jsonb(v) #> path) = 'boolean' THEN
      '1' || galley_number_sort_key(CASE WHEN galley_jsonb(v) #> path = 'true'::jsonb THEN 1 ELSE 0 END)
    ELSE '2' || galley_json_scalar(galley_jsonb(v) #> path) END
$$;

CREATE OR REPLACE FUNCTION galley_strftime(fmt text, t text) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  ts timestamp;
  res text := '';
  i int := 1;
  c text;
  doy int;
  wd int;
BEGIN
  IF fmt IS NULL OR t IS NULL THEN RETURN NULL; END IF;
  IF t = 'now' THEN
    ts := now() AT TIME ZONE 'UTC';
  ELSIF t ~ '^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$' THEN
    BEGIN
      IF t ~ '[+-]\d{2}:\d{2}$' THEN ts := t::timestamptz AT TIME ZONE 'UTC';
      ELSE ts := rtrim(t, 'Z')::timestamp;
      END IF;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END;
  ELSE
    RETURN NULL;
  END IF;
  WHILE i <= length(fmt) LOOP
    c := substr(fmt, i, 1);
    IF c <> '%' THEN
      res := res || c;
    ELSE
      i := i + 1;
      c := substr(fmt, i, 1);
      doy := extract(doy FROM ts)::int;
      wd := (extract(isodow FROM ts)::int + 6) % 7;
      res := res || CASE c
        WHEN 'Y' THEN to_char(ts, 'YYYY')
        WHEN 'm' THEN to_char(ts, 'MM')
        WHEN 'd' THEN to_char(ts, 'DD')
        WHEN 'H' THEN to_char(ts, 'HH24')
        WHEN 'M' THEN to_char(ts, 'MI')
        WHEN 'S' THEN to_char(ts, 'SS')
        WHEN 'f' THEN to_char(ts, 'SS.MS')
        WHEN 'j' THEN lpad(doy::text, 3, '0')
        WHEN 's' THEN floor(extract(epoch FROM ts))::bigint::text
        WHEN 'w' THEN extract(dow FROM ts)::int::text
        WHEN 'W' THEN lpad(((doy - 1 + 7 - wd) / 7)::text, 2, '0')
        WHEN '%' THEN '%'
        ELSE NULL END;
      IF res IS NULL THEN RETURN NULL; END IF;
    END IF;
    i := i + 1;
  END LOOP;
  RETURN res;
END $$;
`;
