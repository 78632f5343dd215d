/** The one byte range of a `Range: bytes=…` header (RFC 9110 §14), for serving files. */

export type RangeAnswer =
  /** serve the whole body (no header, another unit, several ranges or a malformed value) */
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  /** 416 with `Content-Range: bytes *\/size` */
  | { kind: 'unsatisfiable' };

const SPEC = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i;

export function parseRangeHeader(header: string | null, size: number): RangeAnswer {
  if (!header) return { kind: 'full' };
  // Several ranges would need multipart/byteranges; a server may answer them with the whole body.
  if (header.includes(',')) return { kind: 'full' };
  const m = SPEC.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    // suffix range: the last N bytes
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || (m[2] !== '' && Number(m[2]) < start)) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
