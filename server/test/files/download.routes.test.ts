// GET/HEAD /api/files/{collection}/{recordId}/{filename}: what is served, with which headers, and every
// refusal as PocketBase's 404. Records get their files directly (row + bytes in core.storage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

const NOT_FOUND = { data: {}, message: "The requested resource wasn't found.", status: 404 };
const PDF = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';
const HTML = '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>';
const TEN = '0123456789';

let t: FilesGalley;
let id: string;
let otherId: string;
let png: Uint8Array;

beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  id = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'one' } })).json.id;
  otherId = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'two' } })).json.id;
  png = await makeImage(40, 20);
  await t.addFile('docs', id, 'files', 'pic_a1b2c3.png', png);
  await t.addFile('docs', id, 'files', 'doc.pdf', PDF);
  await t.addFile('docs', id, 'files', 'page.html', HTML);
  await t.addFile('docs', id, 'files', 'drawing.svg', SVG);
  await t.addFile('docs', id, 'files', 'fake.png', HTML);
  await t.addFile('docs', id, 'files', 'ten.txt', TEN);
  await t.addFile('docs', id, 'files', 'script.js', 'alert(1)');
  await t.addFile('docs', id, 'files', 'résumé 2024 "final".pdf', PDF);
  await t.addFile('docs', id, 'files', 'empty.txt', '');
  await t.addFile('docs', otherId, 'files', 'mine.txt', 'other record');
  // bytes in storage under a name no record lists
  await t.galley.core.storage.put(`${t.galley.core.schema.findCollection('docs')!.id}/${id}/stray.txt`, new TextEncoder().encode('stray'));
});
afterAll(() => t.close());

const url = (name: string, query = '', rec = () => id) => `/api/files/docs/${rec()}/${encodeURIComponent(name)}${query}`;

describe('what is served and how', () => {
  const cases: Array<{ name: string; file: string; query?: string; type: string; disposition: 'inline' | 'attachment' }> = [
    { name: 'a PNG image inline', file: 'pic_a1b2c3.png', type: 'image/png', disposition: 'inline' },
    { name: 'a PDF inline', file: 'doc.pdf', type: 'application/pdf', disposition: 'inline' },
    { name: 'HTML as an attachment', file: 'page.html', type: 'text/html; charset=utf-8', disposition: 'attachment' },
    { name: 'SVG as an attachment (it can carry script)', file: 'drawing.svg', type: 'image/svg+xml', disposition: 'attachment' },
    { name: 'HTML named .png judged by its bytes: attachment', file: 'fake.png', type: 'text/html; charset=utf-8', disposition: 'attachment' },
    { name: 'JavaScript as an attachment', file: 'script.js', type: 'text/javascript', disposition: 'attachment' },
    { name: 'plain text as an attachment', file: 'ten.txt', type: 'text/plain; charset=utf-8', disposition: 'attachment' },
    { name: 'download=1 makes an image an attachment', file: 'pic_a1b2c3.png', query: '?download=1', type: 'image/png', disposition: 'attachment' },
    { name: 'download=true too', file: 'doc.pdf', query: '?download=true', type: 'application/pdf', disposition: 'attachment' },
    { name: 'download=0 does not', file: 'doc.pdf', query: '?download=0', type: 'application/pdf', disposition: 'inline' },
  ];
  it.each(cases)('$name', async ({ file, query, type, disposition }) => {
    const res = await t.fetchFile(url(file, query ?? ''));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-disposition')).toBe(`${disposition}; filename="${file}"; filename*=UTF-8''${encodeURIComponent(file)}`);
  });

  it('sends the bytes as stored, with the safety and caching headers on every file', async () => {
    const res = await t.fetchFile(url('pic_a1b2c3.png'));
    expect(Buffer.compare(res.bytes, png)).toBe(0);
    expect(res.headers.get('content-length')).toBe(String(png.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
    expect(res.headers.get('cache-control')).toBe('max-age=2592000, stale-while-revalidate=86400');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(0);
    // wire: PocketBase drops X-Frame-Options for files so they can be embedded
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('keeps the sandboxing headers on attachments, 304s and 416s too', async () => {
    const first = await t.fetchFile(url('page.html'));
    const notModified = await t.fetchFile(url('page.html'), { headers: { 'if-none-match': first.headers.get('etag')! } });
    const unsatisfiable = await t.fetchFile(url('page.html'), { headers: { range: 'bytes=999999-' } });
    for (const res of [first, notModified, unsatisfiable]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
    }
  });

  it('encodes a non-ASCII name per RFC 6266 (ASCII fallback + filename*)', async () => {
    const res = await t.fetchFile(url('résumé 2024 "final".pdf'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `inline; filename="r_sum_ 2024 _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024%20%22final%22.pdf`,
    );
  });

  it('serves an empty file', async () => {
    const res = await t.fetchFile(url('empty.txt'));
    expect(res.status).toBe(200);
    expect(res.bytes.length).toBe(0);
    expect(res.headers.get('content-length')).toBe('0');
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await t.fetchFile(url('ten.txt'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('10');
    expect(res.bytes.length).toBe(0);
  });

  it('serves public files whatever the view rule says (even superusers-only collections)', async () => {
    const vault = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'x' } })).json.id as string;
    void vault;
    const core = t.galley.core;
    const vaultId = 'vaultrecord0001';
    await core.db.writer.run((tx) => tx.db.insertInto('vault').values({ id: vaultId, title: 'v', open: '', locked: '' }).execute());
    await t.addFile('vault', vaultId, 'open', 'open.txt', 'public bytes');
    await t.addFile('vault', vaultId, 'locked', 'locked.txt', 'private bytes');
    expect((await t.call('GET', `/api/collections/vault/records/${vaultId}`)).status).toBe(403);
    const open = await t.fetchFile(`/api/files/vault/${vaultId}/open.txt`);
    expect(open.status).toBe(200);
    expect(open.text).toBe('public bytes');
    const locked = await t.fetchFile(`/api/files/vault/${vaultId}/locked.txt`);
    expect(locked.status).toBe(404);
  });

  it('finds the collection by id as well as by name', async () => {
    const collectionId = t.galley.core.schema.findCollection('docs')!.id;
    const res = await t.fetchFile(`/api/files/${collectionId}/${id}/ten.txt`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(TEN);
  });
});

describe('ranges', () => {
  const cases: Array<{ name: string; range: string; status: number; body?: string; contentRange?: string }> = [
    { name: 'a middle slice', range: 'bytes=2-5', status: 206, body: '2345', contentRange: 'bytes 2-5/10' },
    { name: 'an open end', range: 'bytes=7-', status: 206, body: '789', contentRange: 'bytes 7-9/10' },
    { name: 'the last N bytes', range: 'bytes=-3', status: 206, body: '789', contentRange: 'bytes 7-9/10' },
    { name: 'a suffix longer than the file', range: 'bytes=-50', status: 206, body: TEN, contentRange: 'bytes 0-9/10' },
    { name: 'an end past the last byte (clamped)', range: 'bytes=8-100', status: 206, body: '89', contentRange: 'bytes 8-9/10' },
    { name: 'one byte', range: 'bytes=0-0', status: 206, body: '0', contentRange: 'bytes 0-0/10' },
    { name: 'a start past the end', range: 'bytes=10-', status: 416, contentRange: 'bytes */10' },
    { name: 'a zero suffix', range: 'bytes=-0', status: 416, contentRange: 'bytes */10' },
    { name: 'several ranges (served whole)', range: 'bytes=0-1,4-5', status: 200, body: TEN },
    { name: 'another unit (ignored)', range: 'items=0-1', status: 200, body: TEN },
    { name: 'a reversed range (ignored)', range: 'bytes=5-2', status: 200, body: TEN },
    { name: 'garbage (ignored)', range: 'bytes=abc', status: 200, body: TEN },
  ];
  it.each(cases)('$name → $status', async ({ range, status, body, contentRange }) => {
    const res = await t.fetchFile(url('ten.txt'), { headers: { range } });
    expect(res.status).toBe(status);
    if (body !== undefined) expect(res.text).toBe(body);
    expect(res.headers.get('content-range')).toBe(contentRange ?? null);
    if (status === 206) expect(res.headers.get('content-length')).toBe(String(body!.length));
  });

  it('reads a range of a large file from the middle', async () => {
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    await t.addFile('docs', otherId, 'files', 'big.bin', big);
    const res = await t.fetchFile(url('big.bin', '', () => otherId), { headers: { range: 'bytes=100000-199999' } });
    expect(res.status).toBe(206);
    expect(res.bytes.length).toBe(100_000);
    expect(Buffer.compare(res.bytes, big.subarray(100_000, 200_000))).toBe(0);
    const whole = await t.fetchFile(url('big.bin', '', () => otherId));
    expect(Buffer.compare(whole.bytes, big)).toBe(0);
  });

  it('honours If-Range: a matching validator gets the range, a stale one the whole file', async () => {
    const etag = (await t.fetchFile(url('ten.txt'))).headers.get('etag')!;
    expect((await t.fetchFile(url('ten.txt'), { headers: { range: 'bytes=0-1', 'if-range': etag } })).status).toBe(206);
    const stale = await t.fetchFile(url('ten.txt'), { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(TEN);
  });
});

describe('conditional requests', () => {
  it('answers 304 to a matching If-None-Match (also weak, also in a list, also *)', async () => {
    const first = await t.fetchFile(url('ten.txt'));
    const etag = first.headers.get('etag')!;
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await t.fetchFile(url('ten.txt'), { headers: { 'if-none-match': value } });
      expect(res.status).toBe(304);
      expect(res.bytes.length).toBe(0);
      expect(res.headers.get('etag')).toBe(etag);
    }
    expect((await t.fetchFile(url('ten.txt'), { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after the modification, 200 before it', async () => {
    const lastModified = (await t.fetchFile(url('ten.txt'))).headers.get('last-modified')!;
    expect((await t.fetchFile(url('ten.txt'), { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await t.fetchFile(url('ten.txt'), { headers: { 'if-modified-since': before } })).status).toBe(200);
    expect((await t.fetchFile(url('ten.txt'), { headers: { 'if-modified-since': 'not a date' } })).status).toBe(200);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const lastModified = (await t.fetchFile(url('ten.txt'))).headers.get('last-modified')!;
    const res = await t.fetchFile(url('ten.txt'), { headers: { 'if-none-match': '"other"', 'if-modified-since': lastModified } });
    expect(res.status).toBe(200);
  });

  it('changes the ETag when the file is replaced', async () => {
    const before = (await t.fetchFile(url('mine.txt', '', () => otherId))).headers.get('etag');
    const collectionId = t.galley.core.schema.findCollection('docs')!.id;
    await t.galley.core.storage.put(`${collectionId}/${otherId}/mine.txt`, new TextEncoder().encode('other record, longer now'));
    const after = await t.fetchFile(url('mine.txt', '', () => otherId), { headers: { 'if-none-match': before! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
  });
});

describe('refusals are 404 in PocketBase shape, never a 500', () => {
  const cases: Array<{ name: string; path: () => string }> = [
    { name: 'unknown collection', path: () => `/api/files/nope/${id}/ten.txt` },
    { name: 'unknown record', path: () => `/api/files/docs/nosuchrecord123/ten.txt` },
    { name: 'a name no field of the record lists (bytes exist in storage)', path: () => url('stray.txt') },
    { name: "another record's file", path: () => url('mine.txt') },
    { name: 'traversal ../', path: () => `/api/files/docs/${id}/..%2F..%2Fdata.db` },
    { name: 'traversal, encoded dots', path: () => `/api/files/docs/${id}/%2e%2e%2f%2e%2e%2fdata.db` },
    { name: 'traversal, encoded twice', path: () => `/api/files/docs/${id}/%252e%252e%252fdata.db` },
    { name: 'traversal in the record id', path: () => `/api/files/docs/%2e%2e/ten.txt` },
    { name: 'traversal in the collection', path: () => `/api/files/%2e%2e/${id}/ten.txt` },
    { name: 'backslash traversal', path: () => `/api/files/docs/${id}/..%5C..%5Cdata.db` },
    { name: 'a NUL byte', path: () => `/api/files/docs/${id}/ten.txt%00.png` },
    { name: 'an absolute path', path: () => `/api/files/docs/${id}/%2Fetc%2Fpasswd` },
    { name: 'a bare ..', path: () => `/api/files/docs/${id}/..` },
    { name: 'an extra path segment', path: () => `/api/files/docs/${id}/ten.txt/x` },
    { name: 'a missing file name', path: () => `/api/files/docs/${id}` },
    { name: 'a very long name', path: () => `/api/files/docs/${id}/${'a'.repeat(5000)}.txt` },
  ];
  it.each(cases)('$name', async ({ path }) => {
    const res = await t.fetchFile(path());
    expect(res.status).toBe(404);
    expect(res.json).toEqual(NOT_FOUND);
  });

  // wire: Go's server refuses a malformed percent-escape with 400 before routing (http/path-escapes.ts)
  it.each([
    { name: 'broken percent-encoding', path: () => `/api/files/docs/${id}/%E0%A4%A` },
    { name: 'a lone %', path: () => `/api/files/docs/${id}/%` },
  ])('$name is a 400', async ({ path }) => {
    const res = await t.fetchFile(path());
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ data: {}, message: 'Something went wrong while processing your request.', status: 400 });
  });

  it('answers 404 when the row lists a file whose bytes are gone', async () => {
    await t.addFile('docs', otherId, 'files', 'gone.txt', 'soon gone');
    const collectionId = t.galley.core.schema.findCollection('docs')!.id;
    await t.galley.core.storage.delete(`${collectionId}/${otherId}/gone.txt`);
    const res = await t.fetchFile(url('gone.txt', '', () => otherId));
    expect(res.status).toBe(404);
    expect(res.json).toEqual(NOT_FOUND);
  });

  it('does not serve other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await t.fetchFile(url('ten.txt'), { method })).status).toBe(404);
    }
  });
});
