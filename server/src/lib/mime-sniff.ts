/**
 * The type of a file judged by its bytes, never by what the client declared (wire: PocketBase checks a
 * file field's `mimeTypes` against the detected type, with the gabriel-vasile/mimetype library). This
 * covers the formats people upload most; anything else is `application/octet-stream` or, when it is
 * valid UTF-8 text, `text/plain`.
 */

export interface SniffedType {
  /** e.g. "image/png", "text/plain; charset=utf-8" */
  mime: string;
  /** with its dot, "" when none is known */
  ext: string;
}

type Check = (b: Uint8Array) => boolean;

const startsWith = (sig: number[], offset = 0): Check => (b) => b.length >= offset + sig.length && sig.every((x, i) => b[offset + i] === x);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const at = (text: string, offset = 0) => startsWith(ascii(text), offset);
const both = (a: Check, c: Check): Check => (b) => a(b) && c(b);
const ftyp = (brands: string[]): Check => (b) => at('ftyp', 4)(b) && brands.some((brand) => at(brand, 8)(b));

/** Binary signatures, checked in order (more specific first). */
const SIGNATURES: Array<[Check, string, string]> = [
  [startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png', '.png'],
  [startsWith([0xff, 0xd8, 0xff]), 'image/jpeg', '.jpg'],
  [(b) => at('GIF87a')(b) || at('GIF89a')(b), 'image/gif', '.gif'],
  [both(at('RIFF'), at('WEBP', 8)), 'image/webp', '.webp'],
  [both(at('RIFF'), at('WAVE', 8)), 'audio/wav', '.wav'],
  [both(at('RIFF'), at('AVI ', 8)), 'video/x-msvideo', '.avi'],
  [at('BM'), 'image/bmp', '.bmp'],
  [startsWith([0x00, 0x00, 0x01, 0x00]), 'image/x-icon', '.ico'],
  [(b) => startsWith([0x49, 0x49, 0x2a, 0x00])(b) || startsWith([0x4d, 0x4d, 0x00, 0x2a])(b), 'image/tiff', '.tiff'],
  [ftyp(['avif', 'avis']), 'image/avif', '.avif'],
  [ftyp(['heic', 'heix', 'mif1']), 'image/heic', '.heic'],
  [ftyp(['qt  ']), 'video/quicktime', '.mov'],
  [ftyp(['M4A ']), 'audio/x-m4a', '.m4a'],
  [ftyp(['isom', 'iso2', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'MSNV', 'mmp4']), 'video/mp4', '.mp4'],
  [(b) => startsWith([0x1a, 0x45, 0xdf, 0xa3])(b) && includesAscii(b.subarray(0, 64), 'webm'), 'video/webm', '.webm'],
  [startsWith([0x1a, 0x45, 0xdf, 0xa3]), 'video/x-matroska', '.mkv'],
  [at('%PDF-'), 'application/pdf', '.pdf'],
  [startsWith([0x50, 0x4b, 0x03, 0x04]), 'application/zip', '.zip'],
  [startsWith([0x1f, 0x8b]), 'application/gzip', '.gz'],
  [at('7z\xbc\xaf\x27\x1c'), 'application/x-7z-compressed', '.7z'],
  [at('ID3'), 'audio/mpeg', '.mp3'],
  [(b) => b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe6) === 0xe2, 'audio/mpeg', '.mp3'],
  [at('OggS'), 'audio/ogg', '.ogg'],
  [at('fLaC'), 'audio/flac', '.flac'],
  [startsWith([0x00, 0x61, 0x73, 0x6d]), 'application/wasm', '.wasm'],
  [at('wOFF'), 'font/woff', '.woff'],
  [at('wOF2'), 'font/woff2', '.woff2'],
];

const HTML_STARTS = ['<!doctype html', '<html', '<head', '<script', '<iframe', '<h1', '<div', '<font', '<table', '<a', '<style', '<title', '<b', '<body', '<br', '<p', '<!--'];

function includesAscii(b: Uint8Array, text: string): boolean {
  return new TextDecoder('latin1').decode(b).includes(text);
}

function decodeUtf8(b: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
}

function sniffText(b: Uint8Array): SniffedType | null {
  // A multi-byte character cut by the end of the sample is not binary: allow up to 3 bytes of it.
  let text = decodeUtf8(b);
  for (let cut = 1; cut < 4 && text === null && cut < b.length; cut++) text = decodeUtf8(b.subarray(0, b.length - cut));
  // eslint-disable-next-line no-control-regex
  if (text === null || /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text)) return null;
  const head = text.replace(/^\ufeff/, '').trimStart().slice(0, 512).toLowerCase();
  for (const tag of HTML_STARTS) {
    const next = head.charAt(tag.length);
    if (head.startsWith(tag) && (next === '>' || next === ' ' || tag === '<!--')) return { mime: 'text/html; charset=utf-8', ext: '.html' };
  }
  if (head.startsWith('<?xml') || head.startsWith('<svg')) {
    return head.includes('<svg') || text.slice(0, 4096).toLowerCase().includes('<svg') ? { mime: 'image/svg+xml', ext: '.svg' } : { mime: 'text/xml; charset=utf-8', ext: '.xml' };
  }
  if (/^[{[]/.test(head)) {
    try {
      JSON.parse(text);
      return { mime: 'application/json', ext: '.json' };
    } catch {
      // a cut-off sample or not JSON: plain text
    }
  }
  return { mime: 'text/plain; charset=utf-8', ext: '.txt' };
}

/** Judges the first 3 KiB (as the mimetype library does by default). */
export function sniffMimeType(bytes: Uint8Array): SniffedType {
  const head = bytes.subarray(0, 3072);
  if (head.length === 0) return { mime: 'text/plain', ext: '.txt' };
  for (const [check, mime, ext] of SIGNATURES) if (check(head)) return { mime, ext };
  return sniffText(head) ?? { mime: 'application/octet-stream', ext: '' };
}

const ALIASES: Record<string, string[]> = {
  'audio/wav': ['audio/x-wav', 'audio/vnd.wave', 'audio/wave'],
  'application/zip': ['application/x-zip', 'application/x-zip-compressed'],
  'application/gzip': ['application/x-gzip', 'application/gzip-compressed'],
  'image/x-icon': ['image/vnd.microsoft.icon'],
  'audio/mpeg': ['audio/x-mpeg', 'audio/mp3'],
  'audio/flac': ['audio/x-flac'],
  'application/pdf': ['application/x-pdf'],
  'text/xml': ['application/xml'],
};

/** Whether the sniffed type is `allowed` (its parameters ignored) or one of its aliases. */
export function isMimeType(sniffed: string, allowed: string): boolean {
  const base = (t: string) => t.split(';')[0]!.trim().toLowerCase();
  const found = base(sniffed);
  const want = base(allowed);
  return found === want || (ALIASES[found]?.includes(want) ?? false);
}
