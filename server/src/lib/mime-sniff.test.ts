import { describe, expect, it } from 'vitest';
import { isMimeType, sniffMimeType } from './mime-sniff.ts';

const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffMimeType', () => {
  it.each([
    ['png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'), 'image/png', '.png'],
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg', '.jpg'],
    ['gif', bytes('GIF89a...'), 'image/gif', '.gif'],
    ['webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'image/webp', '.webp'],
    ['wav', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'audio/wav', '.wav'],
    ['pdf', bytes('%PDF-1.7\n'), 'application/pdf', '.pdf'],
    ['mp4', bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0]), 'video/mp4', '.mp4'],
    ['zip', bytes([0x50, 0x4b, 0x03, 0x04, 0, 0]), 'application/zip', '.zip'],
    ['html', bytes('  <!DOCTYPE html><html><body>x</body></html>'), 'text/html; charset=utf-8', '.html'],
    ['html comment', bytes('<!-- hi --><script>alert(1)</script>'), 'text/html; charset=utf-8', '.html'],
    ['svg', bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml', '.svg'],
    ['json', bytes('{"a":[1,2]}'), 'application/json', '.json'],
    ['text', bytes('hello, world\n'), 'text/plain; charset=utf-8', '.txt'],
    ['utf-8 text', new TextEncoder().encode('grüße'), 'text/plain; charset=utf-8', '.txt'],
    ['binary', bytes([0, 1, 2, 3, 0xfe, 0xff, 7, 8]), 'application/octet-stream', ''],
  ])('%s', (_n, input, mime, ext) => {
    expect(sniffMimeType(input)).toEqual({ mime, ext });
  });

  it('judges the bytes, not a declared name: PNG bytes are PNG, HTML named .png is HTML', () => {
    expect(sniffMimeType(bytes('<html><script>x</script></html>')).mime).toMatch(/^text\/html/);
  });

  it('matches allowed types without parameters and through aliases only', () => {
    expect(isMimeType('text/plain; charset=utf-8', 'text/plain')).toBe(true);
    expect(isMimeType('audio/wav', 'audio/x-wav')).toBe(true);
    expect(isMimeType('image/png', 'image/jpeg')).toBe(false);
    expect(isMimeType('text/html; charset=utf-8', 'text/plain')).toBe(false);
  });
});
