/**
 * A table's rows from one database into another, a page at a time in `_rowid_` order (SQLite's rowid, the
 * identity column on PostgreSQL): only one page is ever held, and the target numbers the rows in the same order
 * (insertion order, which lists use for ties). Pages are found by the last rowid read, never by OFFSET.
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

export async function copyTableRows(from: Kysely<any>, into: Kysely<any>, table: string, columns: readonly string[], opts: CopyRowsOptions = {}): Promise<number> {
  const pageRows = opts.pageRows ?? COPY_PAGE_ROWS;
  const perInsert = Math.max(1, Math.min(pageRows, Math.floor(MAX_INSERT_PARAMETERS / columns.length)));
  let after: number | undefined;
  let copied = 0;
  for (;;) {
    let page = from
      .selectFrom(table)
      .select([...columns, sql.ref(ROWID).as(PAGE_KEY)])
      .orderBy(sql.ref(ROWID))
      .limit(pageRows);
    if (after !== undefined) page = page.where(sql.ref(ROWID), '>', after);
    const rows = (await page.execute()) as Record<string, unknown>[];
    if (rows.length === 0) return copied;
    after = Number(rows.at(-1)![PAGE_KEY]);
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
    if (rows.length < pageRows) return copied;
  }
}

function describeWriteError(err: unknown): string {
  const issues = err instanceof GalleyError && err.issues ? Object.entries(err.issues).map(([field, i]) => `${field}: ${i.code}`) : [];
  const cause = err instanceof GalleyError && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${(err as Error).message}${issues.length > 0 ? ` [${issues.join(', ')}]` : ''}${cause}`;
}
