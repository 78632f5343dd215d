/**
 * A filter result as one CSV or JSON file, streamed page by page (the dashboard's export; a Galley route, see
 * docs/records-extensions.md). Only one page of records is held at a time, however long the result: the next page
 * is read when the client has taken the previous one (the stream's pull). The first page is read before the
 * answer starts, so a bad filter, sort or column is an ordinary 400, never a broken download.
 *
 * Pages of a table are found by rowid: one query (rule, filter and sort as the list compiles them) gives the
 * matching rowids in order, then each page is read by rowid. Offset paging would sort the whole result again for
 * every page (100k rows sorted by an unindexed field: over a minute); a list of integers is small. A view has no
 * rowid and is paged as the list route pages it.
 */
import { sql, type CompiledQuery, type Expression } from 'kysely';
import type { Core } from '../core.ts';
import { invalid } from '../errors.ts';
import { orderByModifiers } from '../query/sort.ts';
import { checkListCost, isCostlyQuery } from '../rules/filter-cost.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findCollectionOr404, scopeOf } from './access.ts';
import { listRecords, serializeRows } from './list.ts';
import { compileListClauses } from './resolver.ts';

export type ExportFormat = 'csv' | 'json';

export interface ExportRequest {
  format: string;
  filter: string;
  sort: string;
  /** comma-separated field names; '' = every field the records carry */
  columns: string;
}

export interface RecordsExport {
  fileName: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** records read per page (a list query each): large enough to be quick, small enough to hold */
export const EXPORT_PAGE_SIZE = 500;

/** wire-side only: envelope keys of a record that are not fields */
const NOT_COLUMNS = new Set(['collectionId', 'collectionName', 'expand']);

/**
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first; OWASP's CSV injection),
 * behind any apostrophes. Such a cell is written with one more leading apostrophe, which spreadsheets show as text and
 * the dashboard's import takes off again, so every value still reads back as it was written.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One RFC 4180 line (objects and arrays as JSON), as the dashboard's import reads it back. */
export function formatCsvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function pickColumns(collectionFields: string[], requested: string, first: Record<string, unknown> | undefined): string[] {
  const asked = requested.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (asked.length > 0) {
    const unknown = asked.filter((c) => !collectionFields.includes(c));
    if (unknown.length > 0) throw invalid(`Unknown export column(s): ${unknown.join(', ')}.`);
    return asked;
  }
  if (first) return Object.keys(first).filter((k) => !NOT_COLUMNS.has(k));
  return collectionFields;
}

/**
 * The export of `collectionIdOrName` as `info` may list it (the list rule applies; a superuser's passes),
 * filtered and sorted as the list route would. 400 for a bad format, filter, sort or column.
 */
export async function exportRecords(core: Core, info: RequestInfo, collectionIdOrName: string, req: ExportRequest): Promise<RecordsExport> {
  const collection = findCollectionOr404(core.schema, collectionIdOrName);
  const format = req.format || 'csv';
  if (format !== 'csv' && format !== 'json') throw invalid('The export format must be csv or json.');
  const readPage = collection.type === 'view' ? pageByOffset(core, info, collection, req) : await pageByRowid(core, info, collection, req);
  const first = await readPage(1);
  const columns = pickColumns(collection.fields.map((f) => f.name), req.columns, first.items[0]);
  const encoder = new TextEncoder();
  let written = 0;
  const lineOf = (item: Record<string, unknown>): string => {
    if (format === 'csv') return formatCsvLine(columns.map((c) => item[c]));
    const picked = Object.fromEntries(columns.map((c) => [c, item[c] ?? null]));
    return `${written === 0 ? '' : ','}\n  ${JSON.stringify(picked)}`;
  };
  const chunkOf = (items: Record<string, unknown>[]): Uint8Array => {
    let text = '';
    for (const item of items) {
      text += lineOf(item);
      written++;
    }
    return encoder.encode(text);
  };

  let next: number | null = first.more ? 2 : null;
  let pending: Record<string, unknown>[] | null = first.items;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(format === 'csv' ? formatCsvLine(columns) : '['));
      },
      async pull(controller) {
        try {
          if (!pending) {
            const page = await readPage(next!);
            next = page.more ? next! + 1 : null;
            pending = page.items;
          }
          const items = pending;
          pending = null;
          if (items.length > 0) controller.enqueue(chunkOf(items));
          if (next === null) {
            if (format === 'json') controller.enqueue(encoder.encode(written === 0 ? ']\n' : '\n]\n'));
            controller.close();
          }
        } catch (err) {
          core.log.warn('records export failed', { collection: collection.name, error: String(err) });
          controller.error(err);
        }
      },
    },
    { highWaterMark: 1 },
  );
  const stamp = core.clock().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return {
    fileName: `${collection.name}-${stamp}.${format}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    body,
  };
}

/** page `n` (from 1) of the records, and whether another follows */
type PageReader = (page: number) => Promise<{ items: Record<string, unknown>[]; more: boolean }>;

/** A view's pages, as the list route reads them. */
function pageByOffset(core: Core, info: RequestInfo, collection: CollectionModel, req: ExportRequest): PageReader {
  return async (page) => {
    const { items } = await listRecords(core, info, collection.name, {
      page: String(page),
      perPage: String(EXPORT_PAGE_SIZE),
      skipTotal: '1',
      ...(req.filter ? { filter: req.filter } : {}),
      ...(req.sort ? { sort: req.sort } : {}),
    });
    return { items, more: items.length === EXPORT_PAGE_SIZE };
  };
}

/** A table's pages: every matching rowid in order first (one query), then each page read by rowid. */
async function pageByRowid(core: Core, info: RequestInfo, collection: CollectionModel, req: ExportRequest): Promise<PageReader> {
  const table = collection.name;
  const scope = scopeOf(core.schema, collection, info, core.db.dialect);
  const filter = req.filter.trim();
  const sort = req.sort.trim();
  const costly = isCostlyQuery(checkListCost(scope, collection.listRule, filter, sort));
  const { where, order } = compileListClauses(scope, collection.listRule, filter, sort);
  const rowid = core.db.dialect.rowid(table);
  let q = core.db.read.selectFrom(table).select(sql<number>`${rowid}`.as('r'));
  if (where) q = q.where(where);
  for (const o of order) q = q.orderBy(o.expr as never, orderByModifiers(o));
  // ties keep the table's order, so the file is the same however the pages fall
  const query: CompiledQuery = q.orderBy(rowid as never).compile();
  const result = costly ? await core.db.readAside(query) : await core.db.read.executeQuery(query);
  const rowids = (result.rows as Array<{ r: number }>).map((row) => row.r);
  return async (page) => {
    const wanted = rowids.slice((page - 1) * EXPORT_PAGE_SIZE, page * EXPORT_PAGE_SIZE);
    const more = page * EXPORT_PAGE_SIZE < rowids.length;
    if (wanted.length === 0) return { items: [], more };
    const rows = (await core.db.read
      .selectFrom(table)
      .selectAll(table)
      .select(sql<number>`${rowid}`.as('__export_rowid'))
      .where(rowid as Expression<number>, 'in', wanted)
      .execute()) as Record<string, unknown>[];
    const at = new Map(wanted.map((r, i) => [r, i]));
    // a row deleted since the first query is left out; the others keep the order of that query
    rows.sort((a, b) => at.get(a['__export_rowid'] as number)! - at.get(b['__export_rowid'] as number)!);
    for (const row of rows) delete row['__export_rowid'];
    return { items: await serializeRows(core, info, collection, rows, ''), more };
  };
}
