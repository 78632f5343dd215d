// The official SDK's `collections` service against a real listener: import a PocketBase export, read it back.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../src/index.ts';
import { startFileGalley, type FileGalley } from './harness.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/pocketbase-export.json', import.meta.url));
const exported = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Array<Record<string, any>>;

/**
 * wire: PocketBase writes unset Go slices as null; Galley answers []. Providers are always an array. An exact
 * unique email index comes back COLLATE NOCASE (Galley keeps emails unique case-insensitively, README).
 */
function asGalleyAnswers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asGalleyAnswers);
  if (typeof value === 'string') return value.replace('(`email`)', '(`email` COLLATE NOCASE)');
  if (typeof value !== 'object' || value === null) return value;
  const lists = ['exceptDomains', 'onlyDomains', 'mimeTypes', 'thumbs', 'values'];
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null && lists.includes(k) ? [] : asGalleyAnswers(v)]));
  if ('oauth2' in out) (out['oauth2'] as Record<string, unknown>)['providers'] ??= [];
  return out;
}

let g: FileGalley;
let pb: PocketBase;

beforeAll(async () => {
  g = await startFileGalley({ $schema: './galley.schema.json', collections: [] }, { allowCollectionWrites: true });
  const { url } = await g.galley.listen('127.0.0.1:0');
  pb = new PocketBase(url);
  await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
});
afterAll(() => g?.close());

describe('pb.collections with a PocketBase export', () => {
  it('import() answers 204 and getFullList() returns the export as PocketBase would', async () => {
    expect(await pb.collections.import(exported as any, false)).toBe(true);
    const listed = await pb.collections.getFullList();
    expect(listed.map((c) => c.name)).toEqual(exported.map((c) => c['name']));
    for (const c of exported) {
      const got = listed.find((l) => l.id === c['id']);
      // wire: PocketBase answers created/updated, which its export leaves out
      const stamp = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(got, c['name']).toEqual({ ...(asGalleyAnswers(c) as object), created: stamp, updated: stamp });
    }
  });

  it('the export was written to the schema file, which loads to the same collections', async () => {
    const fromFile = loadSchemaFile(g.file);
    expect(fromFile.collections.map((c) => c.id)).toEqual(exported.map((c) => c['id']));
    expect(fromFile.collections).toEqual(g.galley.core.schema.collections);
    // minimal entries: the users collection is written without its implicit system fields
    const users = (g.readSchema() as any).collections.find((c: any) => c.name === 'users');
    expect(users.fields.map((f: any) => f.name)).toEqual(['name', 'avatar', 'username', 'website']);
  });

  it('importing the same export again changes nothing', async () => {
    const text = g.readText();
    expect(await pb.collections.import(exported as any, false)).toBe(true);
    expect(g.readText()).toBe(text);
  });

  it('records work in the imported collections', async () => {
    const tag = await pb.collection('tags').create({ name: 'news' });
    expect(await pb.collection('tags').getOne(tag.id)).toMatchObject({ name: 'news' });
  });

  it('getOne, create, update and delete through the SDK', async () => {
    expect((await pb.collections.getOne('tags')).id).toBe(exported.find((c) => c['name'] === 'tags')!['id']);
    const created = await pb.collections.create({ name: 'sdk_made', type: 'base', fields: [{ name: 'title', type: 'text' }] });
    expect(created.fields.map((f: any) => f.name)).toEqual(['id', 'title']);
    const updated = await pb.collections.update('sdk_made', { listRule: '' });
    expect(updated.listRule).toBe('');
    expect(await pb.collections.truncate('sdk_made')).toBe(true);
    expect(await pb.collections.delete('sdk_made')).toBe(true);
    await expect(pb.collections.getOne('sdk_made')).rejects.toMatchObject({ status: 404 });
  });

  it('scaffolds come back in PocketBase’s shape', async () => {
    const scaffolds = await pb.collections.getScaffolds();
    expect(Object.keys(scaffolds)).toEqual(['auth', 'base', 'view']);
  });

  it('validation errors reach the SDK as ClientResponseError with data.<field>.code', async () => {
    await expect(pb.collections.create({ name: 'tags' })).rejects.toMatchObject({
      status: 400,
      response: { data: { name: { code: 'validation_collection_name_exists' } } },
    });
  });
});
