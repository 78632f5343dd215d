/**
 * JSON pointers (RFC 6901) written without the leading slash, the way schema errors name a place:
 * `collections/2/fields/4/type`.
 */

/** Segments → `a/b/0/c`, escaping `~` and `/` inside a segment. */
export function formatJsonPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** `a/b/0/c` (a leading slash is allowed) → its segments, unescaped. */
export function parseJsonPointer(pointer: string): string[] {
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  if (body === '') return [];
  return body.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
