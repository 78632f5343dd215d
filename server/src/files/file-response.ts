/**
 * A stored object as an HTTP answer: conditional requests (ETag, Last-Modified → 304), one byte range
 * (206 / 416), and headers that keep an uploaded file from running as part of the site. HEAD gets the same
 * answer: the router runs the GET route for it, counts the body for Content-Length and drops it.
 */
import { formatContentDisposition } from '../lib/content-disposition.ts';
import { parseRangeHeader } from '../lib/http-range.ts';
import { sniffMimeType } from '../lib/mime-sniff.ts';
import type { FileStorage } from '../lib/storage/file-storage.ts';
import { notFound } from '../errors.ts';

/** wire: PocketBase's inline list; everything else (HTML, SVG, JS, …) is downloaded as an attachment. */
const INLINE_TYPES = new Set([
  'image/png', 'image/jpg', 'image/jpeg', 'image/gif', 'image/webp', 'image/x-icon', 'image/bmp',
  'video/webm', 'video/mp4', 'video/3gpp', 'video/quicktime', 'video/x-ms-wmv',
  'audio/basic', 'audio/aiff', 'audio/mpeg', 'audio/midi', 'audio/mp3', 'audio/wave', 'audio/wav', 'audio/x-wav',
  'audio/x-mpeg', 'audio/x-m4a', 'audio/aac',
  'application/pdf', 'application/x-pdf',
]);

/** wire: PocketBase names these types by extension whatever the bytes look like. */
const TYPE_BY_EXTENSION: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** Enough of the head of a file for the type sniffer (it reads 3 KiB). */
const SNIFF_BYTES = 4096;

const FILE_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
  'X-XSS-Protection': '1; mode=block',
  // wire: PocketBase's policy: nothing loads, scripts never run, even when a browser renders the file.
  'Content-Security-Policy': "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
  // wire: 30 days, reused for a day while revalidating (PocketBase's default).
  'Cache-Control': 'max-age=2592000, stale-while-revalidate=86400',
  'Accept-Ranges': 'bytes',
};

export interface ServeOptions {
  /** the name in Content-Disposition (a thumb's is `<size>_<name>`) */
  name: string;
  /** `?download=1`: always an attachment */
  download: boolean;
}

export async function serveStoredFile(storage: FileStorage, key: string, request: Request, options: ServeOptions): Promise<Response> {
  const info = await storage.stat(key);
  if (!info) throw notFound();
  const etag = `"${info.size.toString(16)}-${info.modified.getTime().toString(16)}"`;
  const lastModified = info.modified.toUTCString();
  const validators = { ETag: etag, 'Last-Modified': lastModified };
  if (isNotModified(request.headers, etag, info.modified)) {
    return new Response(null, { status: 304, headers: { ...FILE_HEADERS, ...validators } });
  }

  const head = info.size === 0 ? new Uint8Array(0) : await readRange(storage, key, 0, Math.min(info.size, SNIFF_BYTES) - 1);
  const contentType = pickContentType(head, key);
  const baseType = contentType.split(';')[0]!.trim();
  const disposition = !options.download && INLINE_TYPES.has(baseType) ? 'inline' : 'attachment';
  const headers: Record<string, string> = {
    ...FILE_HEADERS,
    ...validators,
    'Content-Type': contentType,
    'Content-Disposition': formatContentDisposition(disposition, options.name),
  };

  const ifRange = request.headers.get('if-range');
  const rangeAllowed = !ifRange || ifRange === etag || ifRange === lastModified;
  const range = rangeAllowed ? parseRangeHeader(request.headers.get('range'), info.size) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${info.size}`, 'Content-Length': '0' } });
  }
  if (range.kind === 'partial') {
    const length = range.end - range.start + 1;
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    headers['Content-Length'] = String(length);
    return new Response(await openBody(storage, key, range.start, range.end, head), { status: 206, headers });
  }
  headers['Content-Length'] = String(info.size);
  const body = info.size === 0 ? null : await openBody(storage, key, 0, info.size - 1, head);
  return new Response(body, { status: 200, headers });
}

function pickContentType(head: Uint8Array, key: string): string {
  const dot = key.lastIndexOf('.');
  const ext = dot > key.lastIndexOf('/') ? key.slice(dot).toLowerCase() : '';
  return TYPE_BY_EXTENSION[ext] ?? sniffMimeType(head).mime;
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; dates compare at one-second precision. */
function isNotModified(headers: Headers, etag: string, modified: Date): boolean {
  const noneMatch = headers.get('if-none-match');
  if (noneMatch !== null) {
    return noneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t === etag || t === `W/${etag}`;
    });
  }
  const since = headers.get('if-modified-since');
  if (since === null) return false;
  const sinceMs = Date.parse(since);
  return Number.isFinite(sinceMs) && Math.floor(modified.getTime() / 1000) * 1000 <= sinceMs;
}

async function readRange(storage: FileStorage, key: string, start: number, end: number): Promise<Uint8Array> {
  const object = await storage.get(key, { start, end });
  if (!object) throw notFound();
  return new Uint8Array(await new Response(object.body).arrayBuffer());
}

/** The body for bytes start..end; the sniffed head is reused when it already holds them all. */
async function openBody(storage: FileStorage, key: string, start: number, end: number, head: Uint8Array): Promise<BodyInit> {
  if (end < head.length) return head.slice(start, end + 1);
  const object = await storage.get(key, { start, end });
  if (!object) throw notFound();
  return object.body as BodyInit;
}
