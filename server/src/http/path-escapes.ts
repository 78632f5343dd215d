/**
 * Percent-escapes in a request path that do not decode. The router hands a path parameter it cannot decode to
 * the route as null (a TypeError deep in a lookup); instead a well-formed escape of bytes that are not UTF-8
 * (`%ff`) becomes U+FFFD, so the parameter names nothing and each route answers its own 404/401 (wire: Go
 * unescapes to raw bytes that name nothing either), and a malformed escape (`%zz`, a lone `%`) is refused
 * whole, as Go's server refuses such a request line with 400.
 */

const MALFORMED = /%(?![0-9A-Fa-f]{2})/;
const utf8 = new TextDecoder('utf-8');

function isDecodable(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** `segment`'s bytes read as UTF-8, bad sequences as U+FFFD, escaped again. */
function repairSegment(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; ) {
    if (segment[i] === '%') {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = segment.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...new TextEncoder().encode(ch));
      i += ch.length;
    }
  }
  return encodeURIComponent(utf8.decode(new Uint8Array(bytes)));
}

/**
 * The request as the router should see it: itself when its path decodes (nearly always: only a path with a
 * `%` is looked at), a copy with repaired escapes, or 'malformed'.
 */
export function repairPathEscapes(request: Request): Request | 'malformed' {
  const url = request.url;
  if (!url.includes('%')) return request; // no escape anywhere: nothing to look at (nearly every request)
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return request;
  const end = url.search(/[?#]/);
  const path = end < 0 ? url.slice(start) : url.slice(start, end);
  if (!path.includes('%') || isDecodable(path)) return request;
  if (MALFORMED.test(path)) return 'malformed';
  const repaired = path.split('/').map((s) => (isDecodable(s) ? s : repairSegment(s))).join('/');
  return new Request(url.slice(0, start) + repaired + (end < 0 ? '' : url.slice(end)), request);
}
