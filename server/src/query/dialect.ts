/**
 * Every piece of SQL the filter compiler writes that only SQLite understands lives in this one object,
 * (and the record services, for relation lookups); PostgreSQL's is `postgres-dialect.ts`.
 * Everything else the compiler writes is plain SQL: = <> < IS NULL, AND/OR/NOT, EXISTS, LEFT JOIN,
 * CASE, MIN/MAX.
 */
import { sql, type Expression, type SqlBool } from 'kysely';

export type OrderingOperator = '<' | '<=' | '>' | '>=';

/** A column's storage type (the schema's ColumnSpec type; query/ does not import schema/). */
export type ColumnValueType = 'text' | 'numeric' | 'boolean' | 'json';

export interface FilterDialect {
  readonly name: string;
  /** `left [NOT] LIKE pattern` with `\` as the escape character, ASCII case-insensitive. */
  like(left: Expression<unknown>, pattern: Expression<unknown>, negate: boolean): Expression<SqlBool>;
  /** NULL-safe `left = right` (NULL equals NULL); `negate`: NULL-safe `<>`. */
  nullSafeEquals(left: Expression<unknown>, right: Expression<unknown>, negate: boolean): Expression<SqlBool>;
  /** `'%' || x || '%'`: a column used as a "contains" pattern. */
  containsPattern(x: Expression<unknown>): Expression<unknown>;
  /** A table source yielding one row per item of a JSON array (a non-array value is one item). */
  jsonEach(value: Expression<unknown>): Expression<unknown>;
  /** The item column of a jsonEach source joined as `alias`. */
  jsonEachValue(alias: string): Expression<unknown>;
  /** Whether the JSON array stored in `array` holds any of `values` (bound as parameters). */
  jsonArrayContainsAny(array: Expression<unknown>, values: readonly unknown[]): Expression<SqlBool>;
  /** Number of items (0 for NULL or "", 1 for a non-array value). */
  jsonArrayLength(value: Expression<unknown>): Expression<unknown>;
  /** The value at a path of segments (numbers are array indexes); a non-JSON value is itself at the root. */
  jsonExtract(value: Expression<unknown>, path: readonly (string | number)[]): Expression<unknown>;
  strftime(args: readonly Expression<unknown>[]): Expression<unknown>;
  random(): Expression<unknown>;
  /** The implicit row number of the table joined as `alias`. */
  rowid(alias: string): Expression<unknown>;
  /** Great-circle distance in km (Haversine, Earth radius 6371 km). */
  geoDistance(lonA: Expression<unknown>, latA: Expression<unknown>, lonB: Expression<unknown>, latB: Expression<unknown>): Expression<unknown>;
  lower(x: Expression<unknown>): Expression<unknown>;
  /** `x` where it is compared with the text `''` (a typed database needs it as text). */
  asComparableText(x: Expression<unknown>): Expression<unknown>;
  /** `COALESCE(x, '')`: NULL and "" made equal for `=`/`!=` between two columns or functions. */
  coalesceEmpty(x: Expression<unknown>): Expression<unknown>;
  /** A bool column holds true. */
  isTrue(x: Expression<unknown>): Expression<SqlBool>;
  /** `left op right` for the ordering operators. */
  compare(left: Expression<unknown>, op: OrderingOperator, right: Expression<unknown>): Expression<SqlBool>;
  /** The filter's `true`/`false` keywords (wire: PocketBase writes them as the numbers 1/0). */
  bit(value: 0 | 1): Expression<unknown>;
  /** The value a sort orders by (SQLite's order: NULL, then numbers by value, then text). */
  sortKey(value: Expression<unknown>): Expression<unknown>;
  /** NULLS FIRST/LAST an ORDER BY term needs for SQLite's order (NULL smallest); null: the default gives it. */
  orderNulls(direction: 'asc' | 'desc'): 'first' | 'last' | null;
  /**
   * The last ORDER BY term of a list of the table joined as `alias`, or null: SQLite's table scans already give
   * rowid order to ties and unsorted lists; PostgreSQL gives no stable order, so pages would overlap.
   */
  tieBreak(alias: string): Expression<unknown> | null;
  /**
   * A bound value standing for a column of `type` (realtime judges a deleted row from its values, as a derived
   * table): typed as the column is, so a rule compares it as it would the stored value.
   */
  typedValue(value: Expression<unknown>, type: ColumnValueType): Expression<unknown>;
  /**
   * Statements compiled apart and joined as text into one (realtime's UNION ALL of cached checks): `text`'s
   * parameter placeholders moved past the `offset` parameters bound before it.
   */
  shiftParameters(text: string, offset: number): string;
  /**
   * `left = right` ignoring ASCII case, as a COLLATE NOCASE index compares (auth emails): the form that
   * index serves.
   */
  equalsNocase(left: Expression<unknown>, right: Expression<unknown>): Expression<SqlBool>;
}

/** JSON path text: `$.a[0].b` (keys are `\w` only, checked by the resolver's identifier patterns). */
function jsonPathText(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

// wire: PocketBase normalises a non-array (or non-JSON) value into a one-item array before json_each
const asArray = (v: Expression<unknown>) =>
  sql`(CASE WHEN iif(json_valid(${v}), json_type(${v}) = 'array', FALSE) THEN ${v} ELSE json_array(${v}) END)`;

const radians = (deg: Expression<unknown>) => sql`radians(${deg})`;

export const sqliteDialect: FilterDialect = {
  name: 'sqlite',
  like: (left, pattern, negate) =>
    negate ? sql<SqlBool>`${left} NOT LIKE ${pattern} ESCAPE '\\'` : sql<SqlBool>`${left} LIKE ${pattern} ESCAPE '\\'`,
  nullSafeEquals: (left, right, negate) => (negate ? sql<SqlBool>`${left} IS NOT ${right}` : sql<SqlBool>`${left} IS ${right}`),
  containsPattern: (x) => sql`('%' || ${x} || '%')`,
  jsonEach: (value) => sql`json_each(${asArray(value)})`,
  jsonEachValue: (alias) => sql.id(alias, 'value'),
  jsonArrayContainsAny: (array, values) =>
    sql<SqlBool>`exists (select 1 from json_each(${array}) as _je where _je.value in (${sql.join([...values])}))`,
  jsonArrayLength: (v) =>
    sql`json_array_length(CASE WHEN iif(json_valid(${v}), json_type(${v}) = 'array', FALSE) THEN ${v} ELSE (CASE WHEN ${v} = '' OR ${v} IS NULL THEN json_array() ELSE json_array(${v}) END) END)`,
  jsonExtract: (v, path) => {
    const rest = jsonPathText(path);
    // wire: a value that is not JSON is wrapped as {"pb": value} so a path into it yields NULL, not an error
    return sql`(CASE WHEN json_valid(${v}) THEN json_extract(${v}, ${'$' + rest}) ELSE json_extract(json_object('pb', ${v}), ${'$.pb' + rest}) END)`;
  },
  strftime: (args) => sql`strftime(${sql.join([...args], sql`, `)})`,
  random: () => sql`RANDOM()`,
  rowid: (alias) => sql.id(alias, '_rowid_'),
  geoDistance: (lonA, latA, lonB, latB) => {
    const dLat = sql`(${radians(latB)} - ${radians(latA)})`;
    const dLon = sql`(${radians(lonB)} - ${radians(lonA)})`;
    const h = sql`(pow(sin(${dLat} / 2), 2) + cos(${radians(latA)}) * cos(${radians(latB)}) * pow(sin(${dLon} / 2), 2))`;
    return sql`(2 * 6371 * asin(sqrt(min(1, ${h}))))`;
  },
  lower: (x) => sql`LOWER(${x})`,
  asComparableText: (x) => x,
  coalesceEmpty: (x) => sql`COALESCE(${x}, '')`,
  isTrue: (x) => sql<SqlBool>`${x} = TRUE`,
  compare: (left, op, right) => sql<SqlBool>`${left} ${sql.raw(op)} ${right}`,
  bit: (value) => sql.lit(value),
  sortKey: (value) => value,
  orderNulls: () => null,
  tieBreak: () => null,
  // SQLite's values carry their own type, and columns apply their affinity
  typedValue: (value) => value,
  // `?` placeholders are positional: the texts join as they are
  shiftParameters: (text) => text,
  equalsNocase: (left, right) => sql<SqlBool>`${left} = ${right} COLLATE NOCASE`,
};
