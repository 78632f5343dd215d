// A PocketBase "Export collections" file with a view collection: it loads unchanged, its view is created on
// start, and the view serves aggregate rows with its declared fields (relation expand, number filter).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCollectionJson } from '../../src/schema/collection-json.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const exported = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pocketbase-export.json'), 'utf8')) as Array<Record<string, unknown>>;

let t: TestGalley;
let root = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGalley(exported);
  root = await superuserToken(t);
  const as = { auth: root };
  for (const name of ['ann', 'bob']) {
    const body = { email: `${name}@example.com`, username: name, password: 'password123', passwordConfirm: 'password123', name };
    const r = await t.call('POST', '/api/collections/users/records', { body, ...as });
    if (r.status !== 200) throw new Error(`user ${name}: ${r.status} ${r.text}`);
    ids[name] = r.json.id;
  }
  const mk = async (author: string, slug: string, status: string, published: string) => {
    const r = await t.call('POST', '/api/collections/posts/records', { body: { title: slug, slug, status, author: ids[author], published }, ...as });
    if (r.status !== 200) throw new Error(`post ${slug}: ${r.status} ${r.text}`);
  };
  await mk('ann', 'a1', 'published', '2024-01-01 10:00:00.000Z');
  await mk('ann', 'a2', 'published', '2024-03-01 10:00:00.000Z');
  await mk('ann', 'a3', 'draft', '2024-05-01 10:00:00.000Z');
  await mk('bob', 'b1', 'published', '2024-02-01 10:00:00.000Z');
}, 60_000);

afterAll(() => t?.close());

describe('the PocketBase export’s view collection', () => {
  it('is served with the fields the export declares, unchanged', async () => {
    const res = await t.call('GET', '/api/collections/posts_stats', { auth: root });
    expect(res.status).toBe(200);
    const declared = exported.find((c) => c['name'] === 'posts_stats')!;
    expect(res.json.fields).toEqual(declared['fields']);
    expect(toCollectionJson(t.galley.core.schema.findCollection('posts_stats')!)).toEqual(declared);
  });

  it('aggregates published posts per author: count is a number, max() a json value, author expands', async () => {
    const res = await t.call('GET', '/api/collections/posts_stats/records?sort=-total&expand=author', { auth: root });
    expect(res.status).toBe(200);
    expect(res.json.items).toMatchObject([
      { id: ids['ann'], author: ids['ann'], total: 2, last_published: '2024-03-01 10:00:00.000Z', expand: { author: { username: 'ann' } } },
      { id: ids['bob'], author: ids['bob'], total: 1, last_published: '2024-02-01 10:00:00.000Z', expand: { author: { username: 'bob' } } },
    ]);
  });

  it('filters on its number field for a guest (listRule "") and leaves out what the users viewRule hides from expand', async () => {
    const res = await t.call('GET', `/api/collections/posts_stats/records?filter=${encodeURIComponent('total >= 2')}&expand=author`);
    expect(res.status).toBe(200);
    expect(res.json.items).toHaveLength(1);
    expect(res.json.items[0].id).toBe(ids['ann']);
    expect(res.json.items[0].expand?.author).toBeUndefined();
  });
});
