// DELETE /api/collections/{c}/truncate is one transaction, as PocketBase's TruncateCollection: all records go
// (with cascades, file removals and events after the commit) or, when one delete fails, none do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordEvent } from '../../src/hooks/event-bus.ts';
import { settleFileRemovals } from '../../src/records/record-files.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const SCHEMA = {
  collections: [
    { name: 'authors', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'name', type: 'text' }, { name: 'avatar', type: 'file', maxSelect: 1 }] },
    {
      name: 'books', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      // a required reference without cascade: deleting its author must fail (wire: PocketBase's rule)
      fields: [{ name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1, required: true, cascadeDelete: false }],
    },
    {
      name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      fields: [{ name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1, cascadeDelete: true }],
    },
    {
      name: 'tree', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      fields: [{ name: 'parent', type: 'relation', collectionId: 'tree', maxSelect: 1, cascadeDelete: true }],
    },
    { name: 'author_names', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, name FROM authors' },
  ],
};

let t: TestGalley;
let root: string;
const events: RecordEvent[] = [];

beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  root = await superuserToken(t);
  t.galley.core.hooks.onRecord((e) => events.push(e));
});
afterAll(() => t?.close());

async function createAuthor(name: string): Promise<string> {
  const form = new FormData();
  form.set('name', name);
  form.set('avatar', new File([new TextEncoder().encode(`avatar of ${name}`)], `${name}.txt`, { type: 'text/plain' }));
  const res = await t.call('POST', '/api/collections/authors/records', { body: form });
  expect(res.status, res.text).toBe(200);
  return res.json.id;
}

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of t.galley.core.storage.list('')) keys.push(o.key);
  return keys.filter((k) => !k.includes('/thumbs_'));
}

const count = async (c: string) => (await t.call('GET', `/api/collections/${c}/records?perPage=1`)).json.totalItems as number;

describe('truncate', () => {
  it('a failure part-way leaves every record, file and reference in place and emits no event', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createAuthor(`a${i}`));
    // notes of earlier authors would be cascaded away; the last author is held by a required book
    for (const id of ids.slice(0, 4)) expect((await t.call('POST', '/api/collections/notes/records', { body: { author: id } })).status).toBe(200);
    expect((await t.call('POST', '/api/collections/books/records', { body: { author: ids[4] } })).status).toBe(200);
    const keysBefore = await storedKeys();
    expect(keysBefore).toHaveLength(5);
    events.length = 0;

    const res = await t.call('DELETE', '/api/collections/authors/truncate', { auth: root });
    expect(res.status, res.text).toBe(400);
    expect(res.json).toEqual({ status: 400, message: 'Failed to truncate collection (most likely due to required cascade delete record references).', data: {} });
    await t.galley.core.db.writer.run(async () => {}); // a barrier: any write the truncate queued has committed

    expect(await count('authors')).toBe(5);
    expect(await count('notes')).toBe(4);
    expect(await count('books')).toBe(1);
    await settleFileRemovals(t.galley.core.storage);
    expect((await storedKeys()).sort()).toEqual([...keysBefore].sort());
    expect(events).toEqual([]);
  });

  it('a truncate that succeeds removes records, cascades and files, with its events after the commit', async () => {
    await t.call('DELETE', '/api/collections/books/truncate', { auth: root });
    events.length = 0;
    const res = await t.call('DELETE', '/api/collections/authors/truncate', { auth: root });
    expect(res.status, res.text).toBe(204);
    expect(await count('authors')).toBe(0);
    expect(await count('notes')).toBe(0);
    await settleFileRemovals(t.galley.core.storage);
    expect(await storedKeys()).toEqual([]);
    const names = events.map((e) => `${e.action}:${e.collection.name}`);
    expect(names.filter((n) => n === 'delete:authors')).toHaveLength(5);
    expect(names.filter((n) => n === 'delete:notes')).toHaveLength(4);
  });

  it('records an earlier delete cascaded away are skipped, not a failure', async () => {
    // the root comes first in table order; deleting it cascades to the children the loop has not reached yet
    const root1 = (await t.call('POST', '/api/collections/tree/records', { body: {} })).json.id;
    let parent = root1;
    for (let i = 0; i < 4; i++) parent = (await t.call('POST', '/api/collections/tree/records', { body: { parent } })).json.id;
    expect(await count('tree')).toBe(5);
    events.length = 0;
    expect((await t.call('DELETE', '/api/collections/tree/truncate', { auth: root })).status).toBe(204);
    expect(await count('tree')).toBe(0);
    expect(events.map((e) => e.action + ':' + e.collection.name)).toEqual(Array(5).fill('delete:tree'));
  });

  it('a view collection cannot be truncated; an unknown one is a 404', async () => {
    const view = await t.call('DELETE', '/api/collections/author_names/truncate', { auth: root });
    expect(view.status).toBe(400);
    expect(view.json.message).toBe("View collections cannot be truncated since they don't store their own records.");
    expect((await t.call('DELETE', '/api/collections/nope/truncate', { auth: root })).status).toBe(404);
  });
});
