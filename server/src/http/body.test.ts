import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { inferFormValue, readBody } from './body.ts';

const post = (body: BodyInit | null, type?: string, extra: Record<string, string> = {}) =>
  new Request('http://x/api', { method: 'POST', body, headers: { ...(type ? { 'content-type': type } : {}), ...extra } });

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof GalleyError ? err.kind : 'raw:' + String(err);
  }
}

describe('readBody', () => {
  it('accepts an empty body whatever the Content-Type (wire: the SDK sends JSON type on GET/DELETE)', async () => {
    expect(await readBody(post(null, 'application/json'), 100)).toEqual({ values: {}, files: {} });
    expect(await readBody(post('', 'text/weird'), 100)).toEqual({ values: {}, files: {} });
  });

  it('drops __proto__ keys so nothing reaches a prototype', async () => {
    const { values } = await readBody(post('{"a":1,"__proto__":{"polluted":true},"b":{"__proto__":{"x":1}}}', 'application/json'), 1000);
    const merged = Object.assign({}, values, values['b']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((merged as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(values['a']).toBe(1);
  });

  it('drops a __proto__ key spelled with \\u escapes too, and parses a body without either as it is', async () => {
    const escaped = await readBody(post('{"a":1,"\\u005f_proto__":{"polluted":true},"b":{"__pro\\u0074o__":{"x":1}}}', 'application/json'), 1000);
    expect(Object.keys(escaped.values)).toEqual(['a', 'b']);
    expect(Object.keys(escaped.values['b'] as object)).toEqual([]);
    const plain = await readBody(post('{"category":"c1","body":"a \\"quoted\\" proto","n":[1,{"k":null}]}', 'application/json'), 1000);
    expect(plain.values).toEqual({ category: 'c1', body: 'a "quoted" proto', n: [1, { k: null }] });
  });

  it('refuses by Content-Length before reading, and mid-stream when the length lies', async () => {
    expect(await kindOf(readBody(post('x'.repeat(10), 'application/json', { 'content-length': '999999999' }), 100))).toBe('too_large');
    const stream = new ReadableStream({
      pull(c) {
        c.enqueue(new Uint8Array(64));
      },
    });
    const chunked = new Request('http://x/api', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(await kindOf(readBody(chunked, 1000))).toBe('too_large');
  });

  it('answers 400-kinds for malformed JSON, non-object JSON and unknown types', async () => {
    expect(await kindOf(readBody(post('{"a":', 'application/json'), 100))).toBe('invalid');
    expect(await kindOf(readBody(post('[1,2]', 'application/json'), 100))).toBe('invalid');
    expect(await kindOf(readBody(post('"str"', 'application/json'), 100))).toBe('invalid');
    expect(await kindOf(readBody(post('hello', 'text/plain'), 100))).toBe('unsupported_media');
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(await kindOf(readBody(post(`{"a":${deep}}`, 'application/json'), 1_000_000))).not.toMatch(/^raw:/);
  });

  it('parses multipart with type inference, repeated keys and @jsonPayload merged over plain values', async () => {
    const form = new FormData();
    form.append('title', 'hello');
    form.append('count', '12');
    form.append('flag', 'true');
    form.append('zip', '007');
    form.append('tags', 'a');
    form.append('tags', 'b');
    form.append('@jsonPayload', JSON.stringify({ title: 'from json', meta: { x: 1 }, __proto__: { bad: 1 } }));
    form.append('doc', new File(['abc'], 'a.txt', { type: 'text/plain' }));
    const { values, files } = await readBody(new Request('http://x/api', { method: 'POST', body: form }), 10_000);
    expect(values).toEqual({ title: 'from json', count: 12, flag: true, zip: '007', tags: ['a', 'b'], meta: { x: 1 } });
    expect(files['doc']?.[0]?.name).toBe('a.txt');
    expect(({} as Record<string, unknown>)['bad']).toBeUndefined();
  });

  it('multipart: files are held to their key\'s limit, skipped under keys that take none, counted in parts', async () => {
    const limits = {
      maxBytes: 1_000_000,
      maxFileBytes: (key: string) => (key === 'doc' ? 10 : undefined),
      fileTooLarge: (key: string, name: string, limit: number) => new GalleyError('invalid', `${key}:${name}:${limit}`),
    };
    const form = () => new FormData();
    const ok = form();
    ok.append('doc', new File(['0123456789'], 'ten.txt'));
    ok.append('other', new File(['x'.repeat(5000)], 'skip.bin'));
    ok.append('title', 'kept');
    const parsed = await readBody(new Request('http://x/api', { method: 'POST', body: ok }), limits);
    expect(Object.keys(parsed.files)).toEqual(['doc']);
    expect(await parsed.files['doc']![0]!.text()).toBe('0123456789');
    expect(parsed.values).toEqual({ title: 'kept' });

    const big = form();
    big.append('doc', new File(['01234567890'], 'eleven.txt'));
    const err = await readBody(new Request('http://x/api', { method: 'POST', body: big }), limits).catch((e: unknown) => e);
    expect((err as Error).message).toBe('doc:eleven.txt:10');

    const many = form();
    for (let i = 0; i < 1001; i++) many.append(`k${i}`, 'v');
    expect(await kindOf(readBody(new Request('http://x/api', { method: 'POST', body: many }), limits))).toBe('invalid');
    expect(await kindOf(readBody(post('--b\r\nbroken', 'multipart/form-data; boundary=b'), 1000))).toBe('invalid');
    expect(await kindOf(readBody(post('x', 'multipart/form-data'), 1000))).toBe('invalid');
  });

  it('infers form values as PocketBase does', () => {
    expect(inferFormValue('')).toBe('');
    expect(inferFormValue('false')).toBe(false);
    expect(inferFormValue('-1.5')).toBe(-1.5);
    expect(inferFormValue('1e3')).toBe('1e3');
    expect(inferFormValue('1.50')).toBe('1.50');
  });
});
