/** The reads behind GET /api/logs, /api/logs/{id} and /api/logs/stats (superusers only; routes check). */
import { sql, type Expression, type SqlBool } from 'kysely';
import { notFound } from '../errors.ts';
import { compileFilterAst } from '../query/compile.ts';
import { checkFilterLength } from '../query/limits.ts';
import { parseFilter } from '../query/parser.ts';
import { compileSortTerm, orderByModifiers, parseSortParam } from '../query/sort.ts';
import { parseListParams } from '../records/list-params.ts';
import { toLogModel, type LogModel } from './log-entry.ts';
import type { LogsTable } from './log-service.ts';
import { createLogResolver } from './log-resolver.ts';

export interface LogList {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: LogModel[];
}

function compileLogFilter(logs: LogsTable, filter: string): Expression<SqlBool> | null {
  const text = filter.trim();
  checkFilterLength(text);
  if (text === '') return null;
  return compileFilterAst(parseFilter(text), createLogResolver(logs.dialect), { dialect: logs.dialect });
}

/** wire: PocketBase's search provider over `_logs` (page, perPage ≤ 1000, sort, filter, skipTotal). */
export async function listLogs(logs: LogsTable, query: Record<string, string>): Promise<LogList> {
  const params = parseListParams(query);
  const where = compileLogFilter(logs, params.filter);
  const order = parseSortParam(params.sort.trim()).map((key) => compileSortTerm(key, '_logs', createLogResolver(logs.dialect), { dialect: logs.dialect }));
  let q = logs.db.selectFrom('_logs').selectAll();
  if (where) q = q.where(where);
  for (const o of order) q = q.orderBy(o.expr as never, orderByModifiers(o));
  const rows = await q.limit(params.perPage).offset((params.page - 1) * params.perPage).execute();
  let totalItems = -1;
  let totalPages = -1;
  if (!params.skipTotal) {
    let c = logs.db.selectFrom('_logs').select(sql<number>`count(*)`.as('n'));
    if (where) c = c.where(where);
    totalItems = Number((await c.executeTakeFirst())?.n ?? 0);
    totalPages = Math.ceil(totalItems / params.perPage);
  }
  return { page: params.page, perPage: params.perPage, totalItems, totalPages, items: rows.map(toLogModel) };
}

export async function viewLog(logs: LogsTable, id: string): Promise<LogModel> {
  const row = id === '' ? undefined : await logs.db.selectFrom('_logs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return toLogModel(row);
}

export interface LogsStatsItem {
  date: string;
  total: number;
}

/** wire: one row per hour with entries (`{date: "2006-01-02 15:00:00.000Z", total}`), oldest first. */
export async function readLogsStats(logs: LogsTable, filter: string): Promise<LogsStatsItem[]> {
  const where = compileLogFilter(logs, filter);
  // PostgreSQL: the hour cut from the text Galley writes ("2006-01-02 15:04:05.000Z"); SQLite's strftime also reads other date forms
  const hour = logs.dialect.name === 'sqlite'
    ? sql<string>`strftime('%Y-%m-%d %H:00:00', ${sql.ref('created')})`
    : sql<string>`left(${sql.ref('created')}, 13) || ':00:00'`;
  let q = logs.db.selectFrom('_logs').select([sql<number>`count(${sql.ref('id')})`.as('total'), hour.as('date')]);
  if (where) q = q.where(where);
  const rows = await q.groupBy('date').orderBy('date').execute();
  return rows.map((r) => ({ date: `${String(r.date)}.000Z`, total: Number(r.total) }));
}
