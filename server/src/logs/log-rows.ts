/**
 * The log batch on its way to `_logs`: captured on the request thread as a flat list of raw values
 * (PendingBuffer, no object or JSON per request), handed to the writer thread as one string (encodeBatch),
 * turned into rows there (decodeBatch: a request's redaction, caps and JSON, request-log.ts) and inserted
 * in one transaction (insertLogRows). Shared by the writer worker and the inline fallback.
 *
 * Ids are 15 chars of [a-z0-9] as PocketBase's, but time-ordered (9 chars of the created ms, 6 of a
 * per-writer counter): new rows land at the end of the primary key instead of on a random page, which cut
 * the write cost per row by more than half here.
 */
import type { AuxDatabase } from '../db/open-aux.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { buildRequestLogRow, requestLevel, type RequestFacts } from './request-log.ts';

/** One entry as it is inserted: its data already JSON. */
export interface LogRow {
  level: number;
  message: string;
  data: string;
  created: number;
}

/**
 * Entries waiting for the next batch, in arrival order, as consecutive values (a record's first value is its
 * kind, which fixes how many follow):
 * - an entry written by the app: ENTRY, created, level, message, data (the object, serialized at flush);
 * - an answered request: REQUEST, created, status, execTime, method, url, user agent, referer, auth collection,
 *   authId, userIP, remoteIP, error note (undefined where absent).
 */
export type PendingBuffer = unknown[];
export const ENTRY = 1;
export const REQUEST = 2;
export const ENTRY_VALUES = 5;
export const REQUEST_VALUES = 13;

export const recordLength = (kind: unknown): number => (kind === REQUEST ? REQUEST_VALUES : ENTRY_VALUES);

/** A record's level, read from the buffer at `at` (a request's from its status). */
export function levelAt(buf: PendingBuffer, at: number): number {
  return buf[at] === REQUEST ? requestLevel(buf[at + 2] as number) : (buf[at + 2] as number);
}

const MAX_DATA_CHARS = 64 * 1024;
const TRUNCATED_REQUEST = JSON.stringify({ type: 'request', truncated: true });

/** JSON of an entry's data; Error values as their message, bigints as text; oversized data is replaced. */
export function serializeData(data: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v));
  } catch {
    text = JSON.stringify({ type: data['type'] ?? '', unserializable: true });
  }
  return text.length > MAX_DATA_CHARS ? JSON.stringify({ type: data['type'] ?? '', truncated: true }) : text;
}

// A batch as one string: structured clone of one string is a copy, of objects ~3 µs per row (measured).
// Numbers end with ';'; a text is its length, ':' and the text (so any character may appear in it); '-' is absent.
const text = (v: unknown): string => (v === undefined || v === null ? '-' : `${(v as string).length}:${v as string}`);

/** The pending records as the writer thread's batch; app data is serialized here (request data there). */
export function encodeBatch(buf: PendingBuffer): string {
  let out = '';
  for (let i = 0; i < buf.length; ) {
    if (buf[i] === REQUEST) {
      const error = buf[i + 12];
      out +=
        `r${buf[i + 1] as number};${buf[i + 2] as number};${buf[i + 3] as number};` +
        text(buf[i + 4]) + text(buf[i + 5]) + text(buf[i + 6]) + text(buf[i + 7]) + text(buf[i + 8]) +
        text(buf[i + 9]) + text(buf[i + 10]) + text(buf[i + 11]) + text(error === undefined ? undefined : JSON.stringify(error));
      i += REQUEST_VALUES;
    } else {
      out += `e${buf[i + 1] as number};${buf[i + 2] as number};` + text(buf[i + 3]) + text(serializeData(buf[i + 4] as Record<string, unknown>));
      i += ENTRY_VALUES;
    }
  }
  return out;
}

/** A batch string → rows to insert: requests get their entry (redacted, capped, JSON) here. */
export function decodeBatch(batch: string): LogRow[] {
  const rows: LogRow[] = [];
  let at = 0;
  const num = (): number => {
    const end = batch.indexOf(';', at);
    const n = Number(batch.slice(at, end));
    at = end + 1;
    return n;
  };
  const str = (): string | undefined => {
    if (batch.charCodeAt(at) === 45 /* - */) {
      at++;
      return undefined;
    }
    const colon = batch.indexOf(':', at);
    const length = Number(batch.slice(at, colon));
    at = colon + 1 + length;
    return batch.slice(colon + 1, at);
  };
  while (at < batch.length) {
    const kind = batch[at++];
    if (kind === 'r') {
      const created = num();
      const status = num();
      const execTime = num();
      const facts: RequestFacts = {
        method: str() ?? '', url: str() ?? '', status, execTime, userAgent: str(), referer: str(), auth: str(),
        authId: str(), userIP: str(), remoteIP: str(), error: str(),
      };
      const row = buildRequestLogRow(facts);
      rows.push({ level: row.level, message: row.message, data: row.data.length > MAX_DATA_CHARS ? TRUNCATED_REQUEST : row.data, created });
    } else if (kind === 'e') {
      const created = num();
      const level = num();
      rows.push({ level, created, message: str() ?? '', data: str() ?? '{}' });
    } else {
      throw new Error(`log batch: unknown record kind ${JSON.stringify(kind)} at ${at - 1}`);
    }
  }
  return rows;
}

const COLUMNS = '"_logs" ("id", "level", "message", "data", "created")';
/** rows per multi-row INSERT (5 parameters each); a batch's remainder goes one row per statement */
const ROWS_PER_INSERT = 32;
const INSERT_ONE = `INSERT INTO ${COLUMNS} VALUES (?, ?, ?, ?, ?)`;
const INSERT_MANY = `INSERT INTO ${COLUMNS} VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => '(?, ?, ?, ?, ?)').join(', ')}`;
const COUNTER_SPAN = 36 ** 6;

/** Ids unique per writer (the counter) and across restarts (the time part); the data dir lock keeps one writer. */
export function createLogIdSource(): (createdMs: number) => string {
  let counter = Math.floor(Math.random() * COUNTER_SPAN);
  return (createdMs) => {
    counter = (counter + 1) % COUNTER_SPAN;
    return Math.max(0, Math.floor(createdMs)).toString(36).padStart(9, '0').slice(-9) + counter.toString(36).padStart(6, '0');
  };
}

export function insertLogRows(aux: AuxDatabase, rows: readonly LogRow[], nextId: (createdMs: number) => string): void {
  // rows of one batch mostly share their millisecond: its text is formatted once per run of them
  let lastMs = NaN;
  let lastText = '';
  const params = (r: LogRow, into: unknown[]): void => {
    if (r.created !== lastMs) {
      lastMs = r.created;
      lastText = formatDateTime(new Date(r.created));
    }
    into.push(nextId(r.created), r.level, r.message, r.data, lastText);
  };
  aux.transaction((run) => {
    let i = 0;
    for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
      const values: unknown[] = [];
      for (let j = i; j < i + ROWS_PER_INSERT; j++) params(rows[j]!, values);
      run(INSERT_MANY, values);
    }
    for (; i < rows.length; i++) {
      const values: unknown[] = [];
      params(rows[i]!, values);
      run(INSERT_ONE, values);
    }
  });
}
