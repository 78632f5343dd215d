/**
 * Streaming multipart/form-data (busboy): every limit is enforced while the bytes arrive, so an oversized or
 * abusive body is refused before it is buffered. Fields and files come out as ParsedBody's raw parts. busboy is
 * imported by the first multipart body, not at start.
 */
import type busboy from 'busboy';
import { GalleyError } from '../errors.ts';

/** Most parts (fields + files) one body may have. Go's multipart reader, under PocketBase, allows 1000. */
export const MAX_MULTIPART_PARTS = 1000;
const MAX_FIELD_NAME_BYTES = 1024;

export interface MultipartLimits {
  maxBytes: number;
  /** bytes one file under `key` may have; undefined: the key takes no files (skipped unread) */
  maxFileBytes?: (key: string) => number | undefined;
  fileTooLarge?: (key: string, filename: string, limit: number) => Error;
}

export interface MultipartPart {
  /** form values in arrival order (several under one key are kept) */
  fields: Array<[string, string]>;
  files: Array<[string, File]>;
}

const malformed = (detail?: string) =>
  new GalleyError('invalid', detail ? `Failed to load the submitted data due to invalid formatting (${detail}).` : 'Failed to load the submitted data due to invalid formatting.');
const tooLarge = () => new GalleyError('too_large', 'Request entity too large.');

export async function parseMultipart(request: Request, contentType: string, limits: MultipartLimits): Promise<MultipartPart> {
  const { default: createParser } = await import('busboy');
  let parser: busboy.Busboy;
  try {
    parser = createParser({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: { fieldNameSize: MAX_FIELD_NAME_BYTES, fieldSize: limits.maxBytes, parts: MAX_MULTIPART_PARTS, headerPairs: 100 },
    });
  } catch {
    throw malformed('no boundary');
  }
  const out: MultipartPart = { fields: [], files: [] };
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
  };
  const finished = new Promise<void>((resolve) => {
    parser.on('close', resolve);
    parser.on('error', (err: Error) => {
      fail(malformed(err.message.toLowerCase().replace(/\.$/, '')));
      resolve();
    });
  });
  parser.on('partsLimit', () => fail(malformed(`more than ${MAX_MULTIPART_PARTS} parts`)));
  parser.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) return fail(malformed('field too long'));
    out.fields.push([name, value]);
  });
  parser.on('file', (key, stream, info) => {
    stream.on('error', () => undefined); // a destroyed parser fails its open file stream; the parser's own error says why
    const limit = limits.maxFileBytes ? limits.maxFileBytes(key) : limits.maxBytes;
    if (limit === undefined || failure) {
      stream.resume(); // not a file field's key: read past it, keep nothing
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    stream.on('data', (chunk: Uint8Array) => {
      if (failure) return;
      size += chunk.byteLength;
      if (size > limit) {
        fail(limits.fileTooLarge?.(key, info.filename ?? '', limit) ?? tooLarge());
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (failure) return;
      const filename = info.filename ?? '';
      // An empty file input of an HTML form (no name, no bytes) is no upload.
      if (filename === '' && size === 0) return;
      out.files.push([key, new File(chunks as BlobPart[], filename, { type: info.mimeType })]);
    });
  });

  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    let overLimit = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limits.maxBytes) {
          overLimit = true;
          fail(tooLarge());
          break;
        }
        // After a refusal the rest is read and dropped (never kept, never past maxBytes): a client still
        // sending gets the 400 instead of a reset connection (node:http resets on a cancelled body).
        if (!failure) parser.write(value);
      }
    } catch (err) {
      fail(malformed(`the body could not be read: ${String((err as Error)?.message ?? err)}`));
    }
    if (failure) {
      // Not awaited: a cancel can wait on the sender (a wrapped stream's pending pull); the answer must not.
      if (overLimit) void reader.cancel().catch(() => undefined);
      parser.destroy();
      throw failure;
    }
  }
  // No bytes at all is an empty body (as for every other type), not a truncated form.
  if (total === 0) {
    parser.destroy();
    return out;
  }
  parser.end();
  await finished;
  if (failure) throw failure;
  return out;
}
