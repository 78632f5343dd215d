/**
 * The log batch on its way to `_logs`: each entry a record of the batch text, written on the request thread
 * into a chunk of the shared ring (log-ring.ts; a request's raw facts go straight in as bytes,
 * writeRequestRecord, no object, string or JSON per request), read by the writer thread as one string,
 * turned into rows there (decodeBatch: a request's redaction, caps and JSON, request-log.ts) and inserted in
 * one transaction (insertLogRows). Shared by the writer worker and the inline fallback.
 *
 * Ids are 15 chars of [a-z0-9] as PocketBase's, but time-ordered (9 chars of the created ms, 6 of a
 * per-writer counter): new rows land at the end of the primary key instead of on a random page, which cut
 * the write cost per row by more than half here.
 */
import type { AuxConnection } from '../db/aux-connection.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { buildRequestLogRow, redactQuery, type RequestFacts } from './request-log.ts';

/** One entry as it is inserted: its data already JSON. */
export interface LogRow {
  level: number;
  message: string;
  data: string;
  created: number;
}

/**
 * Entries as consecutive values, for encodeBatch (tests and tools: the service writes records one by one;
 * a record's first value is its kind, which fixes how many follow):
 * - an entry written by the app: ENTRY, created, level, message, data (the object, serialized at flush);
 * - an answered request: REQUEST, created, status, execTime, method, url, user agent, referer, auth collection,
 *   authId, userIP, remoteIP, error note (undefined where absent).
 */
export type PendingBuffer = unknown[];
export const ENTRY = 1;
export const REQUEST = 2;
export const ENTRY_VALUES = 5;
export const REQUEST_VALUES = 13;

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
// A length counts UTF-16 units, which survive the trip through UTF-8 bytes (log-ring.ts) unchanged.
const text = (v: unknown): string => (v === undefined || v === null ? '-' : `${(v as string).length}:${v as string}`);

/** a field of a 'q' record ends with NUL; ABSENT alone is an absent value (neither is in a header or URL) */
const END = '\0';
const ABSENT = '\x01';
const END_BYTE = 0;
const ABSENT_BYTE = 1;

/** Whether a value can be a field of a 'q' record (no NUL in it, not ABSENT itself). */
export const plainField = (v: string | undefined): boolean => v === undefined || (v !== ABSENT && !v.includes(END));

/** Bytes a 'q' record may take at most, from its values' UTF-16 lengths together (UTF-8: at most 3 bytes each). */
export const requestRecordBound = (chars: number): number => 3 * chars + 96;

/** 10^0 … 10^16: a safe integer's decimal length by comparisons (MAX_SAFE_INTEGER has 16 digits) */
const POWERS_OF_TEN = Array.from({ length: 17 }, (_, i) => 10 ** i);
/** "00" … "99" as 200 ASCII bytes: two digits per division */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/**
 * `n` in decimal at `at` (no string made for the usual whole numbers); returns the offset after it. Its length
 * by comparisons and two digits per division: a request's created ms, status and ns were ~30 float divisions,
 * a third of writeRequestRecord's time (in-process, typical request).
 */
function writeNumber(buf: Buffer, at: number, n: number): number {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) return at + buf.write(String(n), at, 'latin1');
  let length = 1;
  while (length < 16 && n >= POWERS_OF_TEN[length]!) length++;
  let p = at + length;
  while (n >= 100) {
    const q = Math.floor(n / 100);
    const pair = (n - q * 100) * 2;
    buf[--p] = DIGIT_PAIRS[pair + 1]!;
    buf[--p] = DIGIT_PAIRS[pair]!;
    n = q;
  }
  if (n >= 10) {
    buf[--p] = DIGIT_PAIRS[n * 2 + 1]!;
    buf[--p] = DIGIT_PAIRS[n * 2]!;
  } else {
    buf[--p] = 48 + n;
  }
  return at + length;
}

/**
 * `v` as a field of a 'q' record at `at` (ABSENT when undefined), ended by NUL; returns the offset after it, or -1
 * when `v` cannot be one (plainField). Request values are mostly short ASCII (paths, user agents, addresses): their
 * bytes are stored here, one typed-array store each, instead of a native write call per field, which was ~15 % of
 * the request log's samples on the request thread (bench get-by-id profile, Buffer write).
 */
function writeField(buf: Buffer, at: number, v: string | undefined): number {
  if (v === undefined) {
    buf[at] = ABSENT_BYTE;
    buf[at + 1] = END_BYTE;
    return at + 2;
  }
  const length = v.length;
  if (length === 1 && v.charCodeAt(0) === ABSENT_BYTE) return -1;
  for (let i = 0; i < length; i++) {
    const code = v.charCodeAt(i);
    // one comparison for the usual character, 1 to 0x7f (a NUL or a character beyond ASCII fails it)
    if ((code - 1) >>> 0 >= 0x7f) return code === END_BYTE ? -1 : writeWideField(buf, at, v);
    buf[at + i] = code;
  }
  buf[at + length] = END_BYTE;
  return at + length + 1;
}

/** A value with a character beyond ASCII, as UTF-8 (the rare case: the runtime's encoder). */
function writeWideField(buf: Buffer, at: number, v: string): number {
  if (v.includes(END)) return -1;
  const end = at + buf.write(v, at);
  buf[end] = END_BYTE;
  return end + 1;
}

/**
 * One answered request written straight into a batch chunk as a 'q' record (its facts raw, fields ended by NUL,
 * `execTime` as integer ns): no string is built on the request thread. The caller checked that requestRecordBound
 * of the values fits at `at`. Returns the offset after the record, or -1 when a value cannot be a 'q' field
 * (plainField): then nothing counts as written, and the length-prefixed form (encodeRequestRecord) is the way.
 */
export function writeRequestRecord(
  buf: Buffer, at: number, created: number, status: number, execTime: number, method: string, url: string, userAgent: string | undefined,
  referer: string | undefined, auth: string | undefined, authId: string | undefined, userIP: string | undefined, remoteIP: string | undefined,
  errorText: string | undefined,
): number {
  buf[at++] = 113; // q
  at = writeNumber(buf, at, created);
  buf[at++] = END_BYTE;
  at = writeNumber(buf, at, status);
  buf[at++] = END_BYTE;
  at = writeNumber(buf, at, Math.round(execTime * 1e6));
  buf[at++] = END_BYTE;
  if ((at = writeField(buf, at, method)) < 0) return -1;
  if ((at = writeField(buf, at, url)) < 0) return -1;
  if ((at = writeField(buf, at, userAgent)) < 0) return -1;
  if ((at = writeField(buf, at, referer)) < 0) return -1;
  if ((at = writeField(buf, at, auth)) < 0) return -1;
  if ((at = writeField(buf, at, authId)) < 0) return -1;
  if ((at = writeField(buf, at, userIP)) < 0) return -1;
  if ((at = writeField(buf, at, remoteIP)) < 0) return -1;
  return writeField(buf, at, errorText);
}

/** One answered request as a length-prefixed 'r' record of the batch text (any values; see writeRequestRecord). */
export function encodeRequestRecord(
  created: number, status: number, execTime: number, method: string, url: string, userAgent: string | undefined, referer: string | undefined,
  auth: string | undefined, authId: string | undefined, userIP: string | undefined, remoteIP: string | undefined, errorText: string | undefined,
): string {
  return (
    `r${created};${status};${execTime};` + text(method) + text(url) + text(userAgent) + text(referer) + text(auth) +
    text(authId) + text(userIP) + text(remoteIP) + text(errorText)
  );
}

/** One entry written by the app as a record of the batch text; its data serialized here. */
export function encodeEntryRecord(created: number, level: number, message: string, data: Record<string, unknown>): string {
  return `e${created};${level};` + text(message) + text(serializeData(data));
}

/** The pending records as the writer thread's batch; app data is serialized here (request data there). */
export function encodeBatch(buf: PendingBuffer): string {
  let out = '';
  for (let i = 0; i < buf.length; ) {
    if (buf[i] === REQUEST) {
      out += encodeRequestRecord(
        buf[i + 1] as number, buf[i + 2] as number, buf[i + 3] as number, buf[i + 4] as string, buf[i + 5] as string, buf[i + 6] as string | undefined,
        buf[i + 7] as string | undefined, buf[i + 8] as string | undefined, buf[i + 9] as string | undefined, buf[i + 10] as string | undefined,
        buf[i + 11] as string | undefined, buf[i + 12] === undefined ? undefined : JSON.stringify(buf[i + 12]),
      );
      i += REQUEST_VALUES;
    } else {
      out += encodeEntryRecord(buf[i + 1] as number, buf[i + 2] as number, buf[i + 3] as string, buf[i + 4] as Record<string, unknown>);
      i += ENTRY_VALUES;
    }
  }
  return out;
}

/**
 * Walks a batch string's records in order: a request's raw facts (`request`) or an app entry with its data as JSON
 * text (`entry`). Throws on a record it cannot read.
 */
function readBatch(
  batch: string,
  request: (facts: RequestFacts, created: number) => void,
  entry: (created: number, level: number, message: string, data: string) => void,
): void {
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
  const next = (): string => {
    const end = batch.indexOf(END, at);
    if (end < 0) throw new Error(`log batch: unterminated field at ${at}`);
    const value = batch.slice(at, end);
    at = end + 1;
    return value;
  };
  const opt = (): string | undefined => {
    const value = next();
    return value === ABSENT ? undefined : value;
  };
  while (at < batch.length) {
    const kind = batch[at++];
    if (kind === 'q') {
      const created = Number(next());
      const status = Number(next());
      const execTime = Number(next()) / 1e6;
      request({ method: next(), url: next(), status, execTime, userAgent: opt(), referer: opt(), auth: opt(), authId: opt(), userIP: opt(), remoteIP: opt(), error: opt() }, created);
    } else if (kind === 'r') {
      const created = num();
      const status = num();
      const execTime = num();
      request(
        { method: str() ?? '', url: str() ?? '', status, execTime, userAgent: str(), referer: str(), auth: str(), authId: str(), userIP: str(), remoteIP: str(), error: str() },
        created,
      );
    } else if (kind === 'e') {
      const created = num();
      const level = num();
      entry(created, level, str() ?? '', str() ?? '{}');
    } else {
      throw new Error(`log batch: unknown record kind ${JSON.stringify(kind)} at ${at - 1}`);
    }
  }
}

/** A batch string → rows to insert: requests get their entry (redacted, capped, JSON) here. */
export function decodeBatch(batch: string): LogRow[] {
  const rows: LogRow[] = [];
  readBatch(
    batch,
    (facts, created) => {
      const row = buildRequestLogRow(facts);
      rows.push({ level: row.level, message: row.message, data: row.data.length > MAX_DATA_CHARS ? TRUNCATED_REQUEST : row.data, created });
    },
    (created, level, message, data) => rows.push({ level, created, message, data }),
  );
  return rows;
}

/**
 * The batch with the secret-looking query values of its requests' URLs and referers replaced (redactQuery), as
 * length-prefixed records: what may rest in aux.db before its entries are made. The same text when nothing in it
 * has a query (the usual get by id), so such a batch is staged as the bytes it came in.
 */
export function redactBatch(batch: string): string {
  if (!batch.includes('?')) return batch;
  let out = '';
  readBatch(
    batch,
    (f, created) => {
      out += encodeRequestRecord(
        created, f.status, f.execTime, f.method, redactQuery(f.url), f.userAgent, f.referer === undefined ? undefined : redactQuery(f.referer), f.auth,
        f.authId, f.userIP, f.remoteIP, f.error,
      );
    },
    (created, level, message, data) => {
      out += `e${created};${level};` + text(message) + text(data);
    },
  );
  return out;
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
  // a batch's rows mostly share their millisecond: its 9 chars are made once per run of them
  let lastMs = NaN;
  let timePart = '';
  return (createdMs) => {
    counter = (counter + 1) % COUNTER_SPAN;
    if (createdMs !== lastMs) {
      lastMs = createdMs;
      timePart = Math.max(0, Math.floor(createdMs)).toString(36).padStart(9, '0').slice(-9);
    }
    const count = counter.toString(36);
    return timePart + (count.length === 6 ? count : count.padStart(6, '0'));
  };
}

type Run = (sql: string, params?: readonly unknown[]) => number;

function insertRowsWith(run: Run, rows: readonly LogRow[], nextId: (createdMs: number) => string): void {
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
}

export function insertLogRows(aux: AuxConnection, rows: readonly LogRow[], nextId: (createdMs: number) => string): void {
  aux.transaction((run) => insertRowsWith(run, rows, nextId));
}

const STAGE_SQL = 'INSERT INTO "_logs_staged" ("batch") VALUES (?)';
const OLDEST_STAGED_SQL = 'SELECT "id", "batch" FROM "_logs_staged" ORDER BY "id" LIMIT 1';
const UNSTAGE_SQL = 'DELETE FROM "_logs_staged" WHERE "id" = ?';
const STAGED_BYTES_SQL = 'SELECT coalesce(sum(length("batch")), 0) AS "bytes" FROM "_logs_staged"';
const batchDecoder = new TextDecoder();

/**
 * Keep a batch as bytes (one row of `_logs_staged`, one statement; redactBatch's text, or the bytes the request
 * thread wrote when nothing in them has a query): no entry is made and no index of `_logs` touched, ~1 µs per
 * request instead of ~5 while requests keep coming (log-writer-worker.ts).
 */
export function stageBatch(aux: AuxConnection, bytes: Uint8Array): void {
  aux.execute(STAGE_SQL, [bytes]);
}

/** Bytes of the batches staged now (a writer starting after a stop or a crash goes on from there). */
export function countStagedBytes(aux: AuxConnection): number {
  return Number(aux.select(STAGED_BYTES_SQL)[0]?.['bytes'] ?? 0);
}

/**
 * Move the oldest staged batch into `_logs` in one transaction (its entries made, those below `minLevel` left out,
 * its staged row deleted). Returns the bytes it held, 0 when nothing is staged. A batch that cannot be read is
 * deleted and the error thrown (it would fail every time).
 */
export function moveStagedBatch(aux: AuxConnection, nextId: (createdMs: number) => string, minLevel: number): number {
  const staged = aux.select(OLDEST_STAGED_SQL)[0];
  if (!staged) return 0;
  const bytes = staged['batch'] as Uint8Array;
  let rows: LogRow[];
  try {
    rows = decodeBatch(batchDecoder.decode(bytes)).filter((r) => r.level >= minLevel);
  } catch (err) {
    aux.execute(UNSTAGE_SQL, [staged['id']]);
    throw err;
  }
  aux.transaction((run) => {
    insertRowsWith(run, rows, nextId);
    run(UNSTAGE_SQL, [staged['id']]);
  });
  return Math.max(1, bytes.length);
}
