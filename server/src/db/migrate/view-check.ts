/**
 * View queries checked by SQLite itself, on a private in-memory database holding the schema's tables:
 * syntax, unknown tables and columns, and the column names SQLite gives (they must be the fields the loader
 * read from the query). SQLite's message is put in Galley's words with the place it points at. Pass
 * `checkViewQueriesInMemory` to loadSchema/loadSchemaFile (createGalley and `galley migrate` do).
 */
import { sql } from 'kysely';
import { formatSuggestion } from '../../schema/did-you-mean.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { sortViewsByReads, type ViewQueryVerdict } from '../../schema/view-collections.ts';
import { listReadTables, readViewSelect } from '../../schema/view-select.ts';
import { describeSqlPosition, isName, tokenizeSql, type SqlToken } from '../../schema/view-sql-tokens.ts';
import { createCompileOnlyKysely } from '../dialect.ts';
import { openSqliteHandle, type SqliteHandle } from '../driver.ts';
import { buildCreateTableSql, buildCreateViewSql, trimViewQuery } from './ddl.ts';
import { listTableColumns } from './plan-columns.ts';

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function tryPrepare(handle: SqliteHandle, text: string): string | null {
  try {
    handle.prepare(text);
    return null;
  } catch (err) {
    return errorText(err);
  }
}

/** Where SQLite stopped: the first `near` token whose prefix of the query fails with the same message. */
function findSyntaxErrorAt(handle: SqliteHandle, query: string, tokens: SqlToken[], near: string, message: string): number | null {
  const candidates = tokens.filter((t) => t.text === near);
  const hit = candidates.find((t) => tryPrepare(handle, query.slice(0, t.end)) === message);
  return (hit ?? candidates[0])?.start ?? null;
}

/** Where a (possibly qualified) name the error names first appears. */
function findNameAt(tokens: SqlToken[], dotted: string): number | null {
  const parts = dotted.split('.').map((p) => p.toLowerCase());
  const last = parts.at(-1)!;
  const hit = tokens.findIndex((t, i) => {
    if (!isName(t) || t.value.toLowerCase() !== last) return false;
    if (parts.length === 1) return true;
    const q = tokens[i - 2];
    return tokens[i - 1]?.text === '.' && q !== undefined && q.value.toLowerCase() === parts.at(-2);
  });
  if (hit < 0) return null;
  let start = hit;
  while (tokens[start - 1]?.text === '.' && start >= 2) start -= 2;
  return tokens[start]!.start;
}

/** SQLite's message about `query` in Galley's words, with the place it points at. */
export function translateViewQueryError(handle: SqliteHandle, query: string, message: string, collections: readonly CollectionModel[]): string {
  const tokens = tokenizeSql(query);
  const at = (offset: number | null) => (offset === null ? '' : ` ${describeSqlPosition(query, offset)}`);
  const near = /^near "(.*)": syntax error$/s.exec(message);
  if (near) return `${message}${at(findSyntaxErrorAt(handle, query, tokens, near[1]!, message))}`;
  if (message === 'incomplete input') return `the query ends too early (SQLite: incomplete input)${at(query.length)}`;
  const table = /^no such table: (?:main\.)?(.+)$/s.exec(message);
  if (table) {
    const names = collections.map((c) => c.name);
    return `no such table: ${table[1]} (only collections can be read)${formatSuggestion(table[1]!, names)}${at(findNameAt(tokens, table[1]!))}`;
  }
  const column = /^(no such column|ambiguous column name): (.+)$/s.exec(message);
  if (column) {
    const read = listReadTables(query);
    const fields = collections.filter((c) => read.includes(c.name.toLowerCase())).flatMap((c) => c.fields.map((f) => f.name));
    const name = column[2]!;
    return `${column[1]}: ${name}${column[1] === 'no such column' ? formatSuggestion(name.split('.').at(-1)!, fields) : ''}${at(findNameAt(tokens, name))}`;
  }
  return `SQLite: ${message}`;
}

let compiler: ReturnType<typeof createCompileOnlyKysely> | undefined;

/** The column names SQLite gives a created view. */
function listViewColumns(handle: SqliteHandle, name: string): string[] {
  const q = sql<{ name: string }>`SELECT name FROM pragma_table_info(${name})`.compile((compiler ??= createCompileOnlyKysely()));
  return handle.prepare(q.sql).all(q.parameters).map((r) => String(r['name']));
}

function checkOneView(handle: SqliteHandle, view: CollectionModel, collections: readonly CollectionModel[]): ViewQueryVerdict | null {
  const query = trimViewQuery(view.viewQuery ?? '');
  // not one SELECT: the loader's own words say so better than a driver's
  if ('problem' in readViewSelect(query)) return null;
  const failed = tryPrepare(handle, query);
  if (failed !== null) return { refused: true, message: translateViewQueryError(handle, query, failed, collections) };
  try {
    handle.exec(buildCreateViewSql(view.name, query));
    const columns = listViewColumns(handle, view.name);
    const fields = view.fields.map((f) => f.name);
    if (columns.join('\n') === fields.join('\n')) return null;
    const message = `SQLite names the columns (${columns.join(', ')}), not (${fields.join(', ')}) as read from the query: give each column a plain name with AS`;
    return { refused: false, message };
  } catch (err) {
    return { refused: true, message: `SQLite: ${errorText(err)}` };
  }
}

/** Every view query of `collections` against their tables in memory: view id → what is wrong. */
export function checkViewQueriesInMemory(collections: readonly CollectionModel[]): Map<string, ViewQueryVerdict> {
  const problems = new Map<string, ViewQueryVerdict>();
  // no view, nothing to check: a start skips the in-memory database and its tables
  if (!collections.some((x) => x.type === 'view')) return problems;
  const handle = openSqliteHandle(':memory:');
  try {
    for (const c of collections.filter((x) => x.type !== 'view')) handle.exec(buildCreateTableSql(c.name, listTableColumns(c)));
    const views = sortViewsByReads(collections.filter((x) => x.type === 'view').map((model) => ({ model })));
    for (const { model } of views) {
      const problem = checkOneView(handle, model, collections);
      if (problem) problems.set(model.id, problem);
    }
  } finally {
    handle.close();
  }
  return problems;
}
