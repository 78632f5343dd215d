/**
 * The body of `POST /api/batch` read as PocketBase binds and validates it (apis/batch.go,
 * core/event_request_batch.go): `{requests: [{method, url, headers, body}]}`, JSON or multipart with the
 * JSON under `@jsonPayload` and files keyed `requests.N.field` / `requests[N].field`.
 */
import { GalleyError, issue, type IssueTree } from '../errors.ts';

export interface BatchSubRequest<F = unknown> {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** uploads for this sub-request by field key (multipart only) */
  files: Record<string, F[]>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MAX_URL_BYTES = 2000;

// wire: a body that does not bind to the form (wrong JSON types) is this 400 with empty data.
const unreadable = () => new GalleyError('invalid', 'Failed to read the submitted batch data.');

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readStringMap(value: unknown): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw unreadable();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw unreadable();
    out[k] = v;
  }
  return out;
}

function readOptionalString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw unreadable();
  return value;
}

function readItem(raw: unknown): Omit<BatchSubRequest, 'files'> {
  if (raw === null) return { method: '', url: '', headers: {}, body: {} };
  if (!isPlainObject(raw)) throw unreadable();
  const body = raw['body'];
  if (body !== null && body !== undefined && !isPlainObject(body)) throw unreadable();
  return {
    method: readOptionalString(raw['method']),
    url: readOptionalString(raw['url']),
    headers: readStringMap(raw['headers']),
    body: { ...(body as Record<string, unknown> | undefined) },
  };
}

function checkItem(item: Omit<BatchSubRequest, 'files'>): IssueTree | undefined {
  const out: IssueTree = {};
  if (item.method === '') out['method'] = issue('validation_required', 'Cannot be blank.');
  else if (!METHODS.includes(item.method)) out['method'] = issue('validation_in_invalid', 'Must be a valid value.');
  if (item.url === '') out['url'] = issue('validation_required', 'Cannot be blank.');
  else if (new TextEncoder().encode(item.url).byteLength > MAX_URL_BYTES) out['url'] = tooLong(MAX_URL_BYTES);
  return Object.keys(out).length > 0 ? out : undefined;
}

function tooLong(max: number) {
  return issue('validation_length_too_long', `The length must be no more than ${max}.`, { max, min: 0 });
}

/** `requests.3.avatar` or `requests[3].avatar` → [3, "avatar"] */
function splitFileKey(key: string): [number, string] | undefined {
  const m = /^requests(?:\.(\d+)\.|\[(\d+)\]\.)(.+)$/.exec(key);
  return m ? [Number(m[1] ?? m[2]), m[3]!] : undefined;
}

/**
 * The sub-requests of a batch body, or a 400: "Failed to read the submitted batch data." when it does not
 * have the form's types, "Invalid batch request data." with issues by path (`requests`, `requests.2.method`).
 */
export function parseBatchBody<F>(values: Record<string, unknown>, files: Record<string, F[]>, maxRequests: number): BatchSubRequest<F>[] {
  const raw = values['requests'];
  if (raw !== null && raw !== undefined && !Array.isArray(raw)) throw unreadable();
  const items = ((raw as unknown[] | null | undefined) ?? []).map(readItem);
  const invalid = (issues: IssueTree) => new GalleyError('invalid', 'Invalid batch request data.', { issues });
  if (items.length === 0) throw invalid({ requests: issue('validation_required', 'Cannot be blank.') });
  if (items.length > maxRequests) throw invalid({ requests: tooLong(maxRequests) });
  const perItem: IssueTree = {};
  items.forEach((item, i) => {
    const problems = checkItem(item);
    if (problems) perItem[String(i)] = problems;
  });
  if (Object.keys(perItem).length > 0) throw invalid({ requests: perItem });

  // no prototype: a file key such as `requests.0.__proto__` or `requests.0.toString` is a plain (ignored) key
  const requests: BatchSubRequest<F>[] = items.map((item) => ({ ...item, files: Object.create(null) as Record<string, F[]> }));
  for (const [key, list] of Object.entries(files)) {
    const split = splitFileKey(key);
    const target = split && requests[split[0]];
    if (!target) continue; // wire: files under any other key are not read
    (target.files[split[1]] ??= []).push(...list);
  }
  return requests;
}
