// Relations and their cascade rules stay correct across table rebuilds: after both ends of a relation are
// rebuilt by a type change (serve applying the plan on start), expand still resolves, a cascade still
// deletes, and a required reference without cascade still blocks the delete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGalley, type Galley } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const schema = (ageType: string, pagesType: string) => [
  { name: 'authors', ...open, fields: [{ name: 'name', type: 'text' }, { name: 'age', type: ageType }] },
  {
    name: 'books', ...open,
    fields: [{ name: 'author', type: 'relation', collectionId: 'authors', maxSelect: 1, required: true, cascadeDelete: true }, { name: 'pages', type: pagesType }],
  },
  { name: 'reviews', ...open, fields: [{ name: 'book', type: 'relation', collectionId: 'books', maxSelect: 1, required: true, cascadeDelete: false }] },
];

const dir = mkdtempSync(join(tmpdir(), 'galley-rebuild-'));
const galleys: Galley[] = [];
afterAll(async () => {
  for (const g of galleys) await g.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(collections: unknown): Promise<Galley> {
  const g = await createGalley({ dir, schema: collections, logger: createTestLogger('error', () => {}), env: {} });
  galleys.push(g);
  return g;
}

describe('relations across rebuilds', () => {
  it('expand, cascade delete and a blocking required reference work after both tables are rebuilt', async () => {
    const before = await start(schema('number', 'number'));
    const call = (m: string, p: string, body?: unknown) => callGalley(before, m, p, { body });
    const ann = (await call('POST', '/api/collections/authors/records', { name: 'Ann', age: 40 })).json.id;
    const bob = (await call('POST', '/api/collections/authors/records', { name: 'Bob', age: 50 })).json.id;
    const annBook = (await call('POST', '/api/collections/books/records', { author: ann, pages: 100 })).json.id;
    const bobBook = (await call('POST', '/api/collections/books/records', { author: bob, pages: 200 })).json.id;
    await call('POST', '/api/collections/reviews/records', { book: bobBook });
    await before.close();
    galleys.pop();

    // number → text on both ends: each table is rebuilt (new table, copy, drop, rename)
    const after = await start(schema('text', 'text'));
    const call2 = (m: string, p: string, body?: unknown) => callGalley(after, m, p, { body });
    const book = await call2('GET', `/api/collections/books/records/${annBook}?expand=author`);
    expect(book.json).toMatchObject({ pages: '100', expand: { author: { id: ann, name: 'Ann', age: '40' } } });

    expect((await call2('DELETE', `/api/collections/authors/records/${bob}`)).status).toBe(400); // the review holds Bob's book
    expect((await call2('GET', `/api/collections/books/records/${bobBook}`)).status).toBe(200);
    expect((await call2('DELETE', `/api/collections/authors/records/${ann}`)).status).toBe(204);
    expect((await call2('GET', `/api/collections/books/records/${annBook}`)).status).toBe(404); // cascaded
    expect((await call2('GET', '/api/collections/books/records')).json.items.map((b: any) => b.id)).toEqual([bobBook]);
  });
});
