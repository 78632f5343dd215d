// A collection `type` that names an Object.prototype member (`__proto__`, `constructor`, `toString`) is an
// unknown type like any other: the same 400 naming `type`, never a crash.
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
