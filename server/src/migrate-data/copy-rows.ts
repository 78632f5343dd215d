/**
 * A table's rows from one database into another, a page at a time in `_rowid_` order (SQLite's rowid, the
 * identity column on PostgreSQL): only one page is ever held, and the target numbers the rows in the same order
 * (insertion order, which lists use for ties). Never by OFFSET: see the two page readers below.
 */
import { sql, type Kysely } from 'kysely';
import { GalleyError } from '../errors.ts';

/** Rows read per page. */
export const COPY_PAGE_ROWS = 500;

/** Bound parameters per INSERT, under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_INSERT_PARAMETERS = 30_000;

const ROWID = '_rowid_';
// selected beside the columns under a name no field can take (field names do not start with `_galley_`)
const PAGE_KEY = '_galley_copy_rowid_';

export interface CopyRowsOptions {
  pageRows?: number;
  /** after each page, with the rows copied so far */
  onPage?: (copied: number) => void;
}

export async function copyTableRows(
  from: Kysely<any>,
  engine: 'sqlite' | 'postgres',
  into: Kysely<any>,
  table: string,
  columns: readonly string[],
  opts: CopyRowsOptions = {},
): Promise<number> {
  const pageRows = opts.pageRows ?? COPY_PAGE_ROWS;
  const perInsert = Math.max(1, Math.min(pageRows, Math.floor(MAX_INSERT_PARAMETERS / columns.length)));
  let copied = 0;
  const pages = engine === 'postgres' ? readPagesByCursor(from, table, columns, pageRows) : readPagesByRowid(from, table, columns, pageRows);
  for await (const rows of pages) {
    for (let i = 0; i < rows.length; i += perInsert) {
      const chunk = rows.slice(i, i + perInsert);
      const values = chunk.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));
      try {
        await into.insertInto(table).values(values).execute();
      } catch (err) {
        throw new GalleyError('invalid', `${table}: the records from id ${String(chunk[0]!['id'])} on could not be written: ${describeWriteError(err)}`, { cause: err });
      }
    }
    copied += rows.length;
    opts.onPage?.(copied);
  }
  return copied;
}

type Row = Record<string, unknown>;

/** SQLite: the rowid is the table's key, so each page is a range read from where the last one ended. */
async function* readPagesByRowid(from: Kysely<any>, table: string, columns: readonly string[], pageRows: number): AsyncGenerator<Row[]> {
  let after: number | undefined;
  for (;;) {
    let page = from
      .selectFrom(table)
      .select([...columns, sql.ref(ROWID).as(PAGE_KEY)])
      .orderBy(sql.ref(ROWID))
      .limit(pageRows);
    if (after !== undefined) page = page.where(sql.ref(ROWID), '>', after);
    const rows = (await page.execute()) as Row[];
    if (rows.length > 0) yield rows;
    if (rows.length < pageRows) return;
    after = Number(rows.at(-1)![PAGE_KEY]);
  }
}

/**
 * PostgreSQL: a cursor walks the table once and hands the rows out a page at a time. Paging by the last rowid
 * scanned and sorted the whole table per page while `_rowid_` had no index (200k rows: 71 s against 7 s); it has
 * one now (db/postgres-ddl.ts), the cursor stays: one plan, one pass. Needs the transaction `from` is (the
 * source's snapshot).
 */
async function* readPagesByCursor(from: Kysely<any>, table: string, columns: readonly string[], pageRows: number): AsyncGenerator<Row[]> {
  const query = from.selectFrom(table).select([...columns]).orderBy(sql.ref(ROWID)).compile();
  if (query.parameters.length > 0) throw new Error('copyTableRows: the cursor query takes no parameters');
  await sql`DECLARE galley_copy NO SCROLL CURSOR FOR ${sql.raw(query.sql)}`.execute(from);
  try {
    for (;;) {
      const { rows } = await sql<Row>`FETCH ${sql.lit(pageRows)} FROM galley_copy`.execute(from);
      if (rows.length > 0) yield rows;
      if (rows.length < pageRows) return;
    }
  } finally {
    await sql`CLOSE galley_copy`.execute(from);
  }
}

function describeWriteError(err: unknown): string {
  const issues = err instanceof GalleyError && err.issues ? Object.entries(err.issues).map(([field, i]) => `${field}: ${i.code}`) : [];
  const cause = err instanceof GalleyError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${(err as Error).message}${issues.length > 0 ? ` [${issues.join(', ')}]` : ''}${cause}`;
}
