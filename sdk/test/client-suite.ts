// The typed client's runtime checks, run against a Galley given by the caller: library mode on a socket
// (sdk/test/client.test.ts) and the compiled binary (cli/test/sdk-client.e2e.test.ts). CRUD with expand and fields,
// where/filter-tag filters giving the same records as hand-written ones, sort lists, realtime and file URLs.
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, expand, filter, where, type TypedClient } from '../src/index.ts';
import type schema from '../test-types/blog.schema.ts';

// A 1×1 PNG: enough for the server to render a thumbnail.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));

export interface ServedGalley {
  url: string;
  stop(): Promise<unknown>;
}

/** Serves sdk/test-types/blog.schema.ts's schema on a fresh data dir. */
export function describeTypedClient(label: string, serve: () => Promise<ServedGalley>): void {
  let served: ServedGalley;
  let url = '';
  let client: TypedClient<typeof schema>;
  const previous = (globalThis as { EventSource?: unknown }).EventSource;

  beforeAll(async () => {
    (globalThis as { EventSource?: unknown }).EventSource = EventSource;
    served = await serve();
    url = served.url;
    client = createClient<typeof schema>(url);
    client.autoCancellation(false);
  }, 60_000);

  afterAll(async () => {
    (globalThis as { EventSource?: unknown }).EventSource = previous;
    client?.realtime.unsubscribe();
    await served?.stop();
  });

  const ids = (records: Array<{ id: string }>) => records.map((r) => r.id).sort();

  describe(`typed client over the pocketbase SDK (${label})`, () => {
    let userId = '';
    let postIds: string[] = [];
    let tagIds: string[] = [];

    it('signs up, authenticates, and the record has the auth fields', async () => {
      const users = client.collection('users');
      const created = await users.create({ email: 'ada@example.com', password: 'password123', passwordConfirm: 'password123', name: 'Ada' });
      const { record, token } = await users.authWithPassword('ada@example.com', 'password123');
      userId = record.id;
      expect(created.id).toBe(record.id);
      expect(token).not.toBe('');
      expect(record).toMatchObject({ name: 'Ada', email: 'ada@example.com', verified: false, collectionName: 'users' });
      expect(record).not.toHaveProperty('secretNote');
      expect(client.authStore.record?.id).toBe(userId);
    });

    it('creates with files and relations, reads back with expand and fields', async () => {
      tagIds = [(await client.collection('tags').create({ name: 'alpha' })).id, (await client.collection('tags').create({ name: 'beta' })).id];
      // a File, not a bare Blob: Bun's FormData sends a Blob without a file name as a text field
      const cover = new File([PNG], 'cover.png', { type: 'image/png' });
      const rows = [
        { title: 'First', slug: 'first', status: 'published', views: 3, labels: ['news'] },
        { title: 'Second', slug: 'second', status: 'published', views: 12, labels: ['howto', 'news'] },
        { title: 'Third', slug: 'third', status: 'draft', views: 30, labels: [] },
      ] as const;
      postIds = [];
      for (const row of rows) {
        const post = await client.collection('posts').create({ ...row, labels: [...row.labels], author: userId, tags: tagIds, cover });
        postIds.push(post.id);
      }
      const post = await client.collection('posts').getOne(postIds[0]!, { expand: 'author,tags' });
      expect(post.code).toMatch(/^[a-z]{6}$/);
      expect(post.cover).toMatch(/\.png$/);
      expect(post.expand?.author?.name).toBe('Ada');
      expect(post.expand?.tags?.map((t) => t.name)).toEqual(['alpha', 'beta']);
      const narrow = await client.collection('posts').getOne(postIds[0]!, { expand: 'author', fields: 'id,title,expand.author.name' });
      expect(narrow).toEqual({ id: postIds[0], title: 'First', expand: { author: { name: 'Ada' } } });
    });

    it('updates with modifiers and deletes', async () => {
      const posts = client.collection('posts');
      const updated = await posts.update(postIds[0]!, { 'views+': 2, 'tags-': tagIds[1]!, '+labels': 'opinion' });
      expect(updated).toMatchObject({ views: 5, tags: [tagIds[0]], labels: ['opinion', 'news'] });
      const extra = await posts.create({ title: 'Gone', slug: 'gone', status: 'draft', author: userId });
      expect(await posts.delete(extra.id)).toBe(true);
      await expect(posts.getOne(extra.id)).rejects.toMatchObject({ status: 404 });
    });

    it('expands back-relations as arrays, nested, through the expand() helper', async () => {
      await client.collection('comments').create({ post: postIds[1]!, author: userId, body: 'Nice' });
      await client.collection('comments').create({ post: postIds[1]!, author: userId, body: 'Again' });
      const post = await client.collection('posts').getOne(postIds[1]!, { expand: expand({ comments_via_post: { author: true } }) });
      const comments = post.expand?.comments_via_post ?? [];
      expect(comments.map((c) => c.body).sort()).toEqual(['Again', 'Nice']);
      expect(comments.map((c) => c.expand?.author?.name)).toEqual(['Ada', 'Ada']);
    });

    it('filter tag, where and hand-written filters select the same records', async () => {
      const posts = client.collection('posts');
      const cases: Array<[string, string, string]> = [
        ['published, views > 4', filter`status = ${'published'} && views > ${4}`, where({ status: 'published', views: { gt: 4 } })],
        ['label news (any item)', filter`labels ?= ${'news'}`, where({ labels: { anyEq: 'news' } })],
        ['author name like', filter`author.name ~ ${'ad'}`, where({ 'author.name': { like: 'ad' } })],
        ['draft or more than 10 views', filter`status = ${'draft'} || views > ${10}`, where({ $or: [{ status: 'draft' }, { views: { gt: 10 } }] })],
        ['slug in a list', filter`slug = ${'first'} || slug = ${'third'}`, where({ slug: { in: ['first', 'third'] } })],
        ['empty in', '1 = 0', where({ slug: { in: [] } })],
        ['a quote in a value', filter`title = ${'it"s'}`, where({ title: `it"s` })],
      ];
      const handWritten: Record<string, string> = {
        'published, views > 4': 'status = "published" && views > 4',
        'label news (any item)': 'labels ?= "news"',
        'author name like': 'author.name ~ "ad"',
        'draft or more than 10 views': 'status = "draft" || views > 10',
        'slug in a list': 'slug = "first" || slug = "third"',
        'empty in': 'id = "none"',
        'a quote in a value': 'title = \'it"s\'',
      };
      for (const [name, tagged, compiled] of cases) {
        const expected = ids(await posts.getFullList({ filter: handWritten[name]! }));
        expect({ name, ids: ids(await posts.getFullList({ filter: tagged })) }).toEqual({ name, ids: expected });
        expect({ name, ids: ids(await posts.getFullList({ filter: compiled })) }).toEqual({ name, ids: expected });
      }
      // the `where` option is compiled by the client and joined with `filter`
      const joined = await posts.getFullList({ filter: 'views > 4', where: { status: 'published' } });
      expect(ids(joined)).toEqual(ids(await posts.getFullList({ filter: 'views > 4 && status = "published"' })));
      expect(ids(joined).length).toBeGreaterThan(0);
    });

    it('sorts by a typed key list, and the SDK pages as before', async () => {
      const list = await client.collection('posts').getList(1, 2, { sort: ['-views', 'title'], fields: 'title,views' });
      expect(list.items).toEqual([
        { title: 'Third', views: 30 },
        { title: 'Second', views: 12 },
      ]);
      expect(list.totalItems).toBe(3);
    });

    it('realtime: the event has its action and the typed record, with expand', async () => {
      const events: Array<{ action: string; title: string; author?: string }> = [];
      let done: () => void = () => {};
      const arrived = new Promise<void>((resolve) => (done = resolve));
      const unsubscribe = await client.collection('posts').subscribe(
        '*',
        (e) => {
          events.push({ action: e.action, title: e.record.title, author: e.record.expand?.author?.name });
          if (e.action === 'delete') done();
        },
        { expand: 'author' },
      );
      const post = await client.collection('posts').create({ title: 'Live', slug: 'live', status: 'draft', author: userId });
      await client.collection('posts').delete(post.id);
      await arrived;
      await unsubscribe();
      expect(events).toEqual([
        { action: 'create', title: 'Live', author: 'Ada' },
        { action: 'delete', title: 'Live', author: 'Ada' },
      ]);
    });

    it('files.getURL builds a URL whose thumb the server renders', async () => {
      const post = await client.collection('posts').getOne(postIds[0]!);
      const href = client.files.getURL(post, post.cover, { thumb: '100x100' });
      expect(href).toBe(`${url}/api/files/${post.collectionId}/${post.id}/${post.cover}?thumb=100x100`);
      const res = await fetch(href);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    });

    it('a client made without a schema is PocketBase with the same additions', async () => {
      const loose = createClient(url);
      // signed out: drafts are not listed to it
      const list = await loose.collection('posts').getFullList({ where: { views: { gt: 10 } } });
      expect(list.map((r) => r['title'])).toEqual(['Second']);
      expect(loose.filter('title = {:t}', { t: 'x' })).toBe('title = "x"');
      expect(loose.filter`title = ${'x'}`).toBe('title = "x"');
    });
  });
}
