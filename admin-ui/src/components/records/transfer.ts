/**
 * Export and import of a collection's records. The filter result is exported by the server, streamed straight
 * into the browser's download (`GET /api/galley/collections/:c/export`, with a short-lived file token in the
 * URL), so no page holds it; a selection (a few pages at most) is read here and saved as a Blob. Import sends one
 * batch request per chunk (the server's `batch.maxRequests`); its dry run sends the whole file to
 * `POST /api/galley/collections/:c/import-dry-run`, which writes every row in one transaction it rolls back, so
 * unique values are checked across the whole file and against stored rows (with rules and relations).
 */
import { ClientResponseError, type CollectionField, type CollectionModel, type RecordModel } from 'pocketbase';
import { pb } from '../../lib/api.ts';
import { csvLine, parseCsv } from './csv.ts';
import { columnFields, importValue } from './record-fields.ts';

export type ExportFormat = 'json' | 'csv';

/**
 * The records matching `filter`, streamed by the server into a download: the file token stands in for the
 * Authorization header a link cannot send. The filter is the one the table already ran, so it is valid.
 */
export async function downloadFilterResult(collection: CollectionModel, opts: { format: ExportFormat; filter?: string; sort?: string }): Promise<void> {
  const token = await pb.files.getToken();
  const query = new URLSearchParams({ format: opts.format, columns: columnFields(collection).map((f) => f.name).join(','), token });
  if (opts.filter) query.set('filter', opts.filter);
  if (opts.sort) query.set('sort', opts.sort);
  const a = document.createElement('a');
  a.href = `${pb.buildURL(`/api/galley/collections/${encodeURIComponent(collection.name)}/export`)}?${query}`;
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}

/** The records with the given ids (a selection), as a JSON or CSV file read here. */
export async function exportRecords(
  collection: CollectionModel,
  opts: { format: ExportFormat; sort?: string; ids: string[]; onProgress?: (done: number) => void },
): Promise<Blob> {
  const fields = columnFields(collection).map((f) => f.name);
  const parts: string[] = [];
  if (opts.format === 'csv') parts.push(csvLine(fields));
  else parts.push('[');
  let done = 0;
  const add = (items: RecordModel[]) => {
    for (const r of items) {
      if (opts.format === 'csv') parts.push(csvLine(fields.map((f) => r[f])));
      else parts.push(`${done > 0 ? ',' : ''}\n  ${JSON.stringify(Object.fromEntries(fields.map((f) => [f, r[f]])))}`);
      done++;
    }
    opts.onProgress?.(done);
  };
  const list = pb.collection(collection.name);
  // looked up again in chunks so the file has the current values
  for (let at = 0; at < opts.ids.length; at += 100) {
    const chunk = opts.ids.slice(at, at + 100);
    const filter = chunk.map((_, i) => `id={:id${i}}`).join(' || ');
    const params = Object.fromEntries(chunk.map((id, i) => [`id${i}`, id]));
    const page = await list.getList(1, chunk.length, { filter: pb.filter(filter, params), sort: opts.sort, skipTotal: true });
    add(page.items);
  }
  if (opts.format === 'json') parts.push('\n]\n');
  return new Blob(parts, { type: opts.format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' });
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface ImportTable {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** A CSV file (first line: column names) or a JSON array of objects. */
export async function readImportFile(file: File): Promise<ImportTable> {
  const text = await file.text();
  if (/\.json$/i.test(file.name) || /^\s*[[{]/.test(text)) {
    const data = JSON.parse(text) as unknown;
    const list = Array.isArray(data) ? data : [data];
    const columns = new Set<string>();
    for (const item of list) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw new Error('A JSON import is an array of objects, one per record.');
      for (const key of Object.keys(item)) columns.add(key);
    }
    return { columns: [...columns], rows: list as Record<string, unknown>[] };
  }
  const [header, ...rest] = parseCsv(text);
  if (!header) throw new Error('The file is empty.');
  const rows = rest
    .filter((cells) => cells.some((c) => c !== ''))
    .map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  return { columns: header, rows };
}

/** field name → the file's column it is read from ('' = not imported) */
export type ColumnMapping = Record<string, string>;

/** the fields an import can fill: everything but autodate fields; a password needs its confirmation too */
export function importableFields(collection: CollectionModel): CollectionField[] {
  return collection.fields.filter((f) => f.type !== 'autodate' && !(f.hidden && f.name === 'tokenKey'));
}

export function defaultMapping(collection: CollectionModel, columns: string[]): ColumnMapping {
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  return Object.fromEntries(importableFields(collection).map((f) => [f.name, lower.get(f.name.toLowerCase()) ?? '']));
}

export interface RowIssue {
  /** 1-based row of the file's data (a CSV's line 2 is row 1) */
  row: number;
  field?: string;
  message: string;
}

interface Prepared {
  row: number;
  body: Record<string, unknown>;
}

/** Each row as a request body; rows whose cells cannot be converted become issues. */
export function prepareRows(collection: CollectionModel, table: ImportTable, mapping: ColumnMapping): { ready: Prepared[]; issues: RowIssue[] } {
  const ready: Prepared[] = [];
  const issues: RowIssue[] = [];
  const mapped = importableFields(collection).filter((f) => mapping[f.name]);
  table.rows.forEach((source, i) => {
    const body: Record<string, unknown> = {};
    let ok = true;
    for (const f of mapped) {
      const raw = source[mapping[f.name]!];
      if (raw === undefined || (f.name === 'id' && raw === '')) continue;
      try {
        body[f.name] = importValue(f, raw);
        if (f.type === 'password') body['passwordConfirm'] = body[f.name];
      } catch (err) {
        issues.push({ row: i + 1, field: f.name, message: (err as Error).message });
        ok = false;
      }
    }
    if (ok) ready.push({ row: i + 1, body });
  });
  return { ready, issues };
}

/** the server's batch limits (settings.batch): how many rows go in one request */
export async function batchChunkSize(): Promise<number> {
  const settings = await pb.settings.getAll();
  const batch = settings['batch'] as { enabled?: boolean; maxRequests?: number } | undefined;
  if (!batch?.enabled || !batch.maxRequests) throw new Error('Batch requests are turned off in the settings (Settings → Application → Batch); the import needs them.');
  return batch.maxRequests;
}

/** the failing sub-request of a batch: its index and its own error, or null when the error is not a batch one */
function batchFailure(err: unknown): { index: number; message: string; fields: Record<string, string> } | null {
  if (!(err instanceof ClientResponseError)) return null;
  const requests = (err.response?.['data'] as { requests?: Record<string, { response?: { message?: string; data?: Record<string, { message?: string }> } }> } | undefined)
    ?.requests;
  if (!requests) return null;
  const [key, failed] = Object.entries(requests)[0] ?? [];
  if (key === undefined || !failed) return null;
  const fields: Record<string, string> = {};
  for (const [name, issue] of Object.entries(failed.response?.data ?? {})) if (issue?.message) fields[name] = issue.message;
  return { index: Number(key), message: failed.response?.message ?? 'Failed.', fields };
}

function issuesOf(row: number, failure: { message: string; fields: Record<string, string> }): RowIssue[] {
  const named = Object.entries(failure.fields).map(([field, message]) => ({ row, field, message }));
  return named.length > 0 ? named : [{ row, message: failure.message }];
}

function queueBatch(collection: CollectionModel, rows: Prepared[]) {
  const batch = pb.createBatch();
  for (const r of rows) {
    if (typeof r.body['id'] === 'string' && r.body['id'] !== '') batch.collection(collection.name).upsert(r.body);
    else batch.collection(collection.name).create(r.body);
  }
  return batch;
}

interface DryRunAnswer {
  checked: number;
  issues: Array<{ index: number; message: string; data: Record<string, { code?: string; message?: string }> }>;
}

/** For a unique clash: the earlier row of the file holding the same value (case aside), if any. */
function earlierHolder(rows: Prepared[], index: number, field: string): number | undefined {
  const value = rows[index]?.body[field];
  const same = (other: unknown) => other === value || (typeof other === 'string' && typeof value === 'string' && other.toLowerCase() === value.toLowerCase());
  for (let i = 0; i < index; i++) if (same(rows[i]!.body[field])) return rows[i]!.row;
  return undefined;
}

/**
 * The dry run: the server writes every row in one transaction and rolls it back, so a row is checked against
 * the stored records and against every row before it in the file (a unique value two rows share, however
 * far apart). Nothing is kept.
 */
export async function dryRunImport(collection: CollectionModel, rows: Prepared[]): Promise<RowIssue[]> {
  const answer = await pb.send<DryRunAnswer>(`/api/galley/collections/${encodeURIComponent(collection.name)}/import-dry-run`, {
    method: 'POST',
    body: { rows: rows.map((r) => r.body) },
  });
  return answer.issues.flatMap((issue) => {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(issue.data ?? {})) {
      if (!value?.message) continue;
      const holder = value.code === 'validation_not_unique' ? earlierHolder(rows, issue.index, name) : undefined;
      fields[name] = holder === undefined ? value.message : `${value.message.replace(/\.$/, '')} (row ${holder} of the file has it too).`;
    }
    return issuesOf(rows[issue.index]?.row ?? issue.index + 1, { message: issue.message, fields });
  });
}

/** The import: one batch per chunk, each all-or-nothing; stops at the first refused chunk. */
export async function runImport(
  collection: CollectionModel,
  rows: Prepared[],
  chunkSize: number,
  onProgress?: (written: number) => void,
): Promise<{ written: number; failed?: RowIssue[] }> {
  let written = 0;
  for (let at = 0; at < rows.length; at += chunkSize) {
    const chunk = rows.slice(at, at + chunkSize);
    try {
      await queueBatch(collection, chunk).send();
    } catch (err) {
      const failure = batchFailure(err);
      if (!failure) throw err;
      return { written, failed: issuesOf(chunk[failure.index]?.row ?? chunk[0]!.row, failure) };
    }
    written += chunk.length;
    onProgress?.(written);
  }
  return { written };
}
