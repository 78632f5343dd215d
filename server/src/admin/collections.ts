/**
 * Reading collections (`GET /api/collections`, `/{idOrName}`, `/meta/scaffolds`), superusers only.
 * The list takes PocketBase's page/perPage/skipTotal/filter/sort over id, created, updated, name, system
 * and type: the filter language compiles to SQL over the collections as a VALUES table, so it means
 * exactly what it means for records. `created`/`updated` are when the migrations that created and last
 * changed the collection were applied (db/migrate/collection-times.ts); "" for one never applied.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Core } from '../core.ts';
import { readCollectionTimes, type CollectionTimes } from '../db/migrate/collection-times.ts';
import { GalleyError } from '../errors.ts';
import { compileFilterAst } from '../query/compile.ts';
import { checkFilterLength } from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { columnOperand, type FilterResolver } from '../query/resolver.ts';
import { compileSortTerm, parseSortParam } from '../query/sort.ts';
import { parseListParams } from '../records/list-params.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { toCollectionJson } from '../schema/collection-json.ts';
import type { CollectionModel } from '../schema/model.ts';

/** wire: collection routes are for superusers: 401 for guests, 403 for other records. */
export function requireSuperuser(info: RequestInfo): void {
  if (!info.auth) throw new GalleyError('unauthorized', 'The request requires valid record authorization token.');
  if (!isSuperuser(info)) throw new GalleyError('forbidden', 'The authorized record is not allowed to perform this action.');
}

/** wire: the fields PocketBase's collection list resolves in filter and sort. */
const LIST_FIELDS = ['id', 'created', 'updated', 'name', 'system', 'type'];
const TABLE = 'galley_collections';

function createCollectionResolver(): FilterResolver {
  return {
    resolve: (name) => (LIST_FIELDS.includes(name) ? columnOperand(sql.ref(`${TABLE}.${name}`)) : null),
    joinScope: () => ({ joins: [], conditions: [] }),
  };
}

type TimesById = ReadonlyMap<string, CollectionTimes>;

/** The times of every collection, read once per request. */
export function readTimesById(core: Core): Promise<TimesById> {
  return readCollectionTimes(core.db.read);
}

/** wire: PocketBase's collection JSON, with its `created`/`updated`. */
export function toTimedCollectionJson(collection: CollectionModel, times: TimesById): Record<string, unknown> {
  const t = times.get(collection.id);
  return { ...toCollectionJson(collection), created: t?.created ?? '', updated: t?.updated ?? '' };
}

/** Positions of the collections that match `filter`, in `sort` order (then file order). */
async function selectMatching(core: Core, collections: readonly CollectionModel[], times: TimesById, filter: string, sort: string): Promise<number[]> {
  const dialect = core.db.dialect;
  let where: Expression<SqlBool> = sql<SqlBool>`TRUE`;
  if (filter !== '') {
    checkFilterLength(filter);
    where = compileFilterAst(parseFilter(filter), createCollectionResolver(), { dialect });
  }
  const order = parseSortParam(sort).map((key) => compileSortTerm(key, TABLE, createCollectionResolver(), { dialect }));
  // typed as columns would be (untyped VALUES are text on PostgreSQL: `i` would order '10' before '2')
  const number = (v: number) => dialect.typedValue(sql.val(v), 'numeric');
  const text = (v: string) => dialect.typedValue(sql.val(v), 'text');
  const rows = collections.map((c, i) => {
    const t = times.get(c.id);
    const system = dialect.typedValue(sql.val(c.system ? 1 : 0), 'boolean');
    return sql`(${number(i)}, ${text(c.id)}, ${text(c.name)}, ${text(c.type)}, ${system}, ${text(t?.created ?? '')}, ${text(t?.updated ?? '')})`;
  });
  const orderBy = [...order.map((t) => sql`${t.expr} ${sql.raw(t.direction === 'desc' ? 'DESC' : 'ASC')}`), sql.ref(`${TABLE}.i`)];
  const query = sql<{ i: number }>`WITH ${sql.id(TABLE)} (i, id, name, type, system, created, updated) AS (VALUES ${sql.join(rows)})
    SELECT ${sql.ref(`${TABLE}.i`)} AS i FROM ${sql.id(TABLE)} WHERE ${where} ORDER BY ${sql.join(orderBy)}`;
  const { rows: found } = await query.execute(core.db.read);
  return found.map((r) => Number(r.i));
}

export async function listCollectionsJson(core: Core, info: RequestInfo, query: Record<string, string>) {
  requireSuperuser(info);
  const schema = core.schema;
  const params = parseListParams(query);
  const times = await readTimesById(core);
  const matching = await selectMatching(core, schema.collections, times, params.filter.trim(), params.sort.trim());
  const start = (params.page - 1) * params.perPage;
  return {
    page: params.page,
    perPage: params.perPage,
    totalItems: params.skipTotal ? -1 : matching.length,
    totalPages: params.skipTotal ? -1 : Math.ceil(matching.length / params.perPage),
    items: matching.slice(start, start + params.perPage).map((i) => toTimedCollectionJson(schema.collections[i]!, times)),
  };
}

export function requireCollectionModel(core: Core, idOrName: string): CollectionModel {
  const c = core.schema.findCollection(idOrName);
  if (!c) throw new GalleyError('not_found', "The requested resource wasn't found.");
  return c;
}

export async function viewCollectionJson(core: Core, info: RequestInfo, idOrName: string) {
  requireSuperuser(info);
  const collection = requireCollectionModel(core, idOrName);
  return toTimedCollectionJson(collection, await readTimesById(core));
}
