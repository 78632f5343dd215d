// Collections carry PocketBase's `created`/`updated` (when the migrations that created and last changed them
// were applied), through the SDK's collections service: in view, list, sort, filter and write answers.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFileGalley, type FileGalley } from './harness.ts';

const SCHEMA = {
  collections: [
    { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null, fields: [{ name: 'title', type: 'text' }] },
    { name: 'tags', type: 'base', listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null, fields: [{ name: 'name', type: 'text' }] },
  ],
};
const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;

let g: FileGalley;
let pb: PocketBase;
beforeAll(async () => {
  g = await startFileGalley(SCHEMA, { allowCollectionWrites: true });
  pb = new PocketBase((await g.galley.listen('127.0.0.1:0')).url);
  pb.authStore.save(g.root);
});
afterAll(() => g?.close());

/** a write after this lands in a later millisecond than anything before it */
const nextMillisecond = () => new Promise((r) => setTimeout(r, 3));

describe('collection created/updated', () => {
  it('every collection has them, built-ins included, as PocketBase timestamps', async () => {
    const all = await pb.collections.getFullList();
    expect(all.length).toBeGreaterThan(2);
    for (const c of all) {
      expect(c['created'], c.name).toMatch(TIMESTAMP);
      expect(c['updated'], c.name).toMatch(TIMESTAMP);
    }
    const posts = await pb.collections.getOne('posts');
    expect(posts['created']).toBe(all.find((c) => c.name === 'posts')!['created']);
  });

  it('an update moves `updated` of that collection only; a new one sorts first by -created', async () => {
    const before = await pb.collections.getOne('posts');
    const tagsBefore = await pb.collections.getOne('tags');
    await nextMillisecond();
    const changed = await pb.collections.update('posts', { listRule: null });
    expect(changed['created']).toBe(before['created']);
    expect(changed['updated'] > before['updated']).toBe(true);
    expect(await pb.collections.getOne('tags')).toMatchObject({ created: tagsBefore['created'], updated: tagsBefore['updated'] });

    await nextMillisecond();
    const made = await pb.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'text', type: 'text' }] });
    expect(made['created']).toMatch(TIMESTAMP);
    expect(made['created'] > changed['updated']).toBe(true);
    const newest = await pb.collections.getList(1, 2, { sort: '-created,name' });
    expect(newest.items[0]!.name).toBe('notes');
    const recent = await pb.collections.getFullList({ filter: pb.filter('updated >= {:t}', { t: changed['updated'] }), sort: 'updated' });
    expect(recent.map((c) => c.name)).toEqual(['posts', 'notes']);
  });
});
