// A collection `type` or a key that names an Object.prototype member (`__proto__`, `constructor`, `toString`)
// is unknown like any other: the usual 400 naming it, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFileGalley, type FileGalley } from './harness.ts';

let t: FileGalley;
beforeAll(async () => {
  t = await startFileGalley({ collections: [{ name: 'notes', type: 'base', fields: [{ name: 'text', type: 'text' }] }] }, { dev: true });
});
afterAll(async () => {
  await t?.close();
});

describe('collection type names', () => {
  it.each(['__proto__', 'constructor', 'toString'])('type %s answers as an unknown type does', async (type) => {
    const unknown = await t.call('POST', '/api/collections', { body: { name: 'c_unknown', type: 'nope' }, auth: t.root });
    expect(unknown.status).toBe(400);
    const res = await t.call('POST', '/api/collections', { body: { name: 'c_proto', type }, auth: t.root });
    expect(res.status, res.text).toBe(400);
    expect(Object.keys(res.json.data)).toEqual(Object.keys(unknown.json.data));
    expect(res.json.data.type?.code).toBe(unknown.json.data.type?.code);
    const patched = await t.call('PATCH', '/api/collections/notes', { body: { type }, auth: t.root });
    expect(patched.status, patched.text).toBe(400);
    expect(t.logs.filter((l) => l.includes('unclassified'))).toEqual([]);
  });
});

describe('keys naming Object.prototype members', () => {
  it.each([
    [{ fields: [{ name: 'x', type: 'text', constructor: 1 }] }, ['fields', '1', 'constructor']],
    [{ fields: [{ name: 'x', type: 'text', toString: 'a' }] }, ['fields', '1', 'toString']],
  ])('%j is a 400 naming the key', async (body, path) => {
    const res = await t.call('PATCH', '/api/collections/notes', { body, auth: t.root });
    expect(res.status, res.text).toBe(400);
    let at: any = res.json.data;
    for (const p of path) at = at && Object.hasOwn(at, p) ? at[p] : undefined;
    expect(at?.code, res.text).toBeTypeOf('string');
    expect(t.logs.filter((l) => l.includes('unclassified'))).toEqual([]);
  });
});
