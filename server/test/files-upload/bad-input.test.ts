// Raw HTTP against a real listener: hostile upload names, too many/too large/wrong-type files, malformed and
// abusive multipart bodies. Each is a clear 4xx in PocketBase's shape (or a sanitised 200), and storage is
// left exactly as it was (listed through the driver and walked on disk, temp files included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG, startFilesGalley, type FilesGalley } from './harness.ts';

let t: FilesGalley;
beforeAll(async () => {
  t = await startFilesGalley();
});
afterAll(() => t?.close());

const BOUNDARY = 'XyZzY0123456789';
const CRLF = '\r\n';
type Part = { name: string; value?: string; filename?: string; type?: string; data?: Uint8Array<ArrayBuffer> | string };

function multipart(parts: Part[], close = true): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"` + (p.filename !== undefined ? `; filename="${p.filename}"` : '');
    const head = `--${BOUNDARY}${CRLF}Content-Disposition: ${disposition}${CRLF}` + (p.type ? `Content-Type: ${p.type}${CRLF}` : '') + CRLF;
    chunks.push(enc.encode(head));
    const body = p.data ?? p.value ?? '';
    chunks.push(typeof body === 'string' ? enc.encode(body) : body);
    chunks.push(enc.encode(CRLF));
  }
  if (close) chunks.push(enc.encode(`--${BOUNDARY}--${CRLF}`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

async function post(body: BodyInit, opts: { type?: string; path?: string; method?: string } = {}) {
  const res = await fetch(t.url + (opts.path ?? '/api/collections/docs/records'), {
    method: opts.method ?? 'POST',
    headers: { 'content-type': opts.type ?? `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Runs `fn` and checks that storage (driver listing and disk, temp files included) did not change. */
async function leavesNothing(fn: () => Promise<void>): Promise<void> {
  const keys = await t.keys();
  const disk = t.diskFiles();
  await fn();
  expect(await t.keys()).toEqual(keys);
  expect(t.diskFiles()).toEqual(disk);
}

const file = (name: string, filename: string, data: Uint8Array<ArrayBuffer> | string, type = 'application/octet-stream'): Part => ({ name, filename, data, type });

describe('hostile upload names are sanitised and never leave the record folder', () => {
  it.each(['../x.txt', '..%2F..%2Fescape.txt', '..\\..\\win.txt', '/etc/passwd', 'C:\\boot.ini', '....', '.hidden', '../../', '%00.txt'])(
    '%j',
    async (filename) => {
      const res = await post(multipart([{ name: 'title', value: 'n' }, file('attachments', filename, 'content')]));
      expect(res.status).toBe(200);
      const [name] = res.json.attachments as string[];
      expect(name).toMatch(/^[a-z0-9_]+_[a-z0-9]{10}(\.[\w.*\-+=#]+)?$/);
      expect(name).not.toContain('..');
      const folder = `${t.docsId}/${res.json.id}/`;
      expect((await t.keys()).filter((k) => k.includes(res.json.id))).toEqual([folder + name]);
      expect(t.diskFiles().every((f) => f.startsWith(t.docsId + '/'))).toBe(true);
    },
  );

  it.each(['nul\u0000byte.txt', 'ctl\u0001.txt'])('a control character in the part header is a malformed body (400), nothing stored: %j', async (filename) => {
    await leavesNothing(async () => {
      const res = await post(multipart([file('attachments', filename, 'content')]));
      expect(res.json).toMatchObject({ status: 400, data: {} });
    });
  });
});

describe('refused uploads leave nothing behind', () => {
  it.each<[string, () => Uint8Array<ArrayBuffer>, number, string | null]>([
    ['more files than maxSelect', () => multipart([1, 2, 3, 4].map((i) => file('attachments', `f${i}.txt`, 'x'))), 400, 'validation_too_many_files'],
    ['two files for a single field keeps the last (wire)', () => multipart([file('cover', 'a.png', PNG), file('cover', 'b.png', PNG), { name: 'title', value: 'deny' }]), 400, null],
    ['a file over maxSize, refused while streaming', () => multipart([file('attachments', 'big.bin', new Uint8Array(4001))]), 400, 'validation_file_size_limit'],
    ['a file over maxSize under field+', () => multipart([file('attachments+', 'big.bin', new Uint8Array(50_000))]), 400, 'validation_file_size_limit'],
    ['HTML bytes named .png and declared image/png', () => multipart([file('cover', 'evil.png', '<html><script>alert(1)</script></html>', 'image/png')]), 400, 'validation_invalid_mime_type'],
    ['SVG for an image field that allows png/jpeg', () => multipart([file('cover', 'x.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/png')]), 400, 'validation_invalid_mime_type'],
    ['the create rule fails after the files were stored', () => multipart([{ name: 'title', value: 'deny' }, file('attachments', 'ok.txt', 'fine')]), 400, null],
  ])('%s', async (_name, body, status, code) => {
    await leavesNothing(async () => {
      const res = await post(body());
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ status, data: expect.any(Object) });
      if (code) expect(Object.values(res.json.data).map((i: any) => i.code)).toContain(code);
    });
  });

  it('a duplicate id fails the insert after the files were stored: only the first record keeps files', async () => {
    const id = 'dupdupdupdup123';
    const first = await post(multipart([{ name: 'id', value: id }, file('attachments', 'one.txt', '1')]));
    expect(first.status).toBe(200);
    await leavesNothing(async () => {
      const again = await post(multipart([{ name: 'id', value: id }, file('attachments', 'two.txt', '2')]));
      expect(again.status).toBe(400);
    });
    expect((await t.keys()).filter((k) => k.includes(id))).toEqual([`${t.docsId}/${id}/${first.json.attachments[0]}`]);
  });

  it('an update refused by its rule removes the uploads it stored', async () => {
    const rec = await post(multipart([{ name: 'title', value: 'locked' }, file('attachments', 'keep.txt', 'k')]));
    expect(rec.status).toBe(200);
    await leavesNothing(async () => {
      const res = await post(multipart([file('attachments+', 'more.txt', 'm')]), { method: 'PATCH', path: `/api/collections/docs/records/${rec.json.id}` });
      expect(res.status).toBe(404);
    });
  });

  it('an upload-shaped JSON value is no upload', async () => {
    await leavesNothing(async () => {
      const res = await post(JSON.stringify({ attachments: [{ name: '../../x', size: 1, type: 'text/plain' }] }), { type: 'application/json' });
      expect(res.status).toBe(200);
      expect(res.json.attachments).toEqual([]);
    });
  });
});

describe('malformed and abusive multipart bodies', () => {
  const invalid = { status: 400, message: expect.stringMatching(/^Failed to load the submitted data due to invalid formatting/), data: {} };

  it('no boundary → 400', async () => {
    await leavesNothing(async () => {
      expect((await post(multipart([{ name: 'title', value: 'x' }]), { type: 'multipart/form-data' })).json).toMatchObject(invalid);
    });
  });

  it('truncated (no closing delimiter, cut mid-file) → 400', async () => {
    await leavesNothing(async () => {
      const whole = multipart([file('attachments', 'cut.txt', 'x'.repeat(500))], false);
      expect((await post(whole.subarray(0, whole.byteLength - 100))).json).toMatchObject(invalid);
    });
  });

  it('10k parts → 400 without reading them all into fields', async () => {
    await leavesNothing(async () => {
      const parts = Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
      expect((await post(multipart(parts))).json).toMatchObject({ ...invalid, message: expect.stringMatching(/more than 1000 parts/) });
    });
  });

  it('10k tiny files → 400', async () => {
    await leavesNothing(async () => {
      const parts = Array.from({ length: 10_000 }, (_, i) => file('attachments', `${i}.txt`, 'x'));
      expect((await post(multipart(parts))).status).toBe(400);
    });
  });

  it('a body over the collection limit → 413 before it is read (declared length)', async () => {
    // wire: PocketBase's limit is its default body size plus maxSize × maxSelect of each file field.
    const limit = t.galley.core.config.maxBodySize + 2000 + 3 * 4000;
    await leavesNothing(async () => {
      const res = await post(multipart([{ name: 'title', value: 'x'.repeat(limit) }]));
      expect(res).toMatchObject({ status: 413, json: { status: 413, message: 'Request entity too large.', data: {} } });
    });
  });

  it('a streamed body that grows past the limit → 413', async () => {
    const res = await t.galley.handle(
      new Request('http://x/api/collections/docs/records', {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        body: new ReadableStream({
          start(c) {
            c.enqueue(multipart([file('nothere', 'skip.bin', new Uint8Array(1))], false));
          },
          pull(c) {
            c.enqueue(new Uint8Array(1 << 20));
          },
        }),
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
  });

  it('files under keys that are no file field are skipped, not stored', async () => {
    await leavesNothing(async () => {
      const res = await post(multipart([{ name: 'title', value: 'skip' }, file('title', 'x.txt', 'x'), file('nope', 'y.txt', 'y')]));
      expect(res.status).toBe(200);
      expect(res.json.title).toBe('skip');
      await fetch(`${t.url}/api/collections/docs/records/${res.json.id}`, { method: 'DELETE' });
    });
  });
});
