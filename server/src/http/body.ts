import { GalleyError } from '../errors.ts';

/** A parsed request body: plain values by key, and uploaded files by key (multipart only). */
export interface ParsedBody {
  values: Record<string, unknown>;
  files: Record<string, File[]>;
}

const tooLarge = () => new GalleyError('too_large', 'Request entity too large.');

/** Read at most `limit` bytes; refuse by Content-Length before reading, and mid-stream when it lies. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  // A declared length within the limit is read in one go (the runtime enforces it); streaming costs more.
  if (Number.isFinite(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge();
    return bytes;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** JSON.parse that drops `__proto__` keys, so no later merge can reach a prototype. */
export function parseJsonSafely(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value));
  } catch {
    throw new GalleyError('invalid', 'Failed to load the submitted data due to invalid formatting.');
  }
}

/** wire: PocketBase infers form values: "true"/"false" → bool, canonical numbers → number, else string. */
export function inferFormValue(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw !== '' && /^-?[0-9.]+$/.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n) && String(n) === raw) return n;
  }
  return raw;
}

function addFormValue(values: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') return;
  if (!Object.hasOwn(values, key)) values[key] = value;
  else if (Array.isArray(values[key]) && (values[key] as unknown[]).length > 1) (values[key] as unknown[]).push(value);
  else values[key] = [values[key], value];
}

function parseForm(form: FormData): ParsedBody {
  const values: Record<string, unknown> = Object.create(null);
  const files: Record<string, File[]> = Object.create(null);
  const payloads: string[] = [];
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') {
      (files[key] ??= []).push(value);
      continue;
    }
    if (key === '@jsonPayload') {
      payloads.push(value);
      continue;
    }
    addFormValue(values, key, inferFormValue(value));
  }
  // wire: every @jsonPayload part is decoded and merged over the plain values (later keys win).
  for (const payload of payloads) {
    const decoded = parseJsonSafely(payload);
    if (decoded && typeof decoded === 'object' && !Array.isArray(decoded)) {
      for (const [k, v] of Object.entries(decoded)) values[k] = v;
    }
  }
  return { values: { ...values }, files: { ...files } };
}

/** Parse a request body by Content-Type within a byte limit. An empty body is `{}` whatever its type. */
export async function readBody(request: Request, limit: number): Promise<ParsedBody> {
  const bytes = await readLimited(request, limit);
  if (bytes.byteLength === 0) return { values: {}, files: {} };
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/json') || type === '') {
    const decoded = parseJsonSafely(new TextDecoder().decode(bytes));
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      throw new GalleyError('invalid', 'Failed to load the submitted data due to invalid formatting.');
    }
    return { values: decoded as Record<string, unknown>, files: {} };
  }
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    let form: FormData;
    try {
      form = await new Response(bytes as BodyInit, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
    } catch {
      throw new GalleyError('invalid', 'Failed to load the submitted data due to invalid formatting.');
    }
    return parseForm(form);
  }
  throw new GalleyError('unsupported_media', 'Unsupported Content-Type.');
}
