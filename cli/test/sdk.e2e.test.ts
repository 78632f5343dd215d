// The official `pocketbase` SDK, unchanged, against the compiled binary serving schema-examples/blog.json.
import PocketBase from 'pocketbase';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';
import { expectError } from './helpers/sdk-errors.ts';

const BLOG = fileURLToPath(new URL('../../schema-examples/blog.json', import.meta.url));

let server: RunningBinary;
let alice: PocketBase;
let bob: PocketBase;
let guest: PocketBase;
let admin: PocketBase;
let aliceId = '';
let bobId = '';
const tagIds: string[] = [];

async function signUp(email: string, name: string): Promise<{ pb: PocketBase; id: string }> {
  const pb = new PocketBase(server.url);
  const created = await pb.collection('users').create({ email, name, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return { pb, id: created.id };
}

beforeAll(async () => {
  server = await startBinary({ schema: BLOG });
  const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', server.dir]);
  expect(up.code, up.stderr).toBe(0);
  admin = new PocketBase(server.url);
  await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
  guest = new PocketBase(server.url);
  ({ pb: alice, id: aliceId } = await signUp('alice@example.com', 'Alice'));
  ({ pb: bob, id: bobId } = await signUp('bob@example.com', 'Bob'));
  for (const name of ['news', 'tech', 'life']) tagIds.push((await admin.collection('tags').create({ name })).id);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('pocketbase SDK against the binary', () => {
  it('health.check', async () => {
    const health = await guest.health.check();
    expect(health.code).toBe(200);
    expect(health.message).toBe('API is healthy.');
  });

  it('auth stores hold a valid, decodable token; superuser is recognised', async () => {
    expect(alice.authStore.isValid).toBe(true);
    expect(alice.authStore.record?.email).toBe('alice@example.com');
    expect(admin.authStore.isSuperuser).toBe(true);
    const refreshed = await alice.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(aliceId);
  });

  it('wrong password and unknown email get the same 400', async () => {
    const a = await expectError(new PocketBase(server.url).collection('users').authWithPassword('alice@example.com', 'nope-nope'), 400);
    const b = await expectError(new PocketBase(server.url).collection('users').authWithPassword('nobody@example.com', 'nope-nope'), 400);
    expect(a.response).toEqual(b.response);
  });

  it('create, getOne, update, delete with rules enforced', async () => {
    const post = await alice.collection('posts').create({ title: 'Hello', slug: 'hello', status: 'draft', author: aliceId, tags: tagIds.slice(0, 2) });
    expect(post.id).toMatch(/^[a-z0-9]{15}$/);
    expect(post.tags).toEqual(tagIds.slice(0, 2));
    expect((await alice.collection('posts').getOne(post.id)).title).toBe('Hello');
    // a draft is invisible to others: 404, not 403
    await expectError(bob.collection('posts').getOne(post.id), 404);
    await expectError(guest.collection('posts').getOne(post.id), 404);
    await expectError(bob.collection('posts').update(post.id, { title: 'Hacked' }), 404);
    const updated = await alice.collection('posts').update(post.id, { status: 'published', 'tags+': tagIds[2] });
    expect(updated.tags).toEqual(tagIds);
    expect((await guest.collection('posts').getOne(post.id)).status).toBe('published');
    await expectError(bob.collection('posts').delete(post.id), 404);
    expect(await alice.collection('posts').delete(post.id)).toBe(true);
    await expectError(alice.collection('posts').getOne(post.id), 404);
  });

  it('create failing its rule is a 400; validation errors carry per-field codes', async () => {
    await expectError(bob.collection('posts').create({ title: 'x', slug: 'x1', status: 'draft', author: aliceId }), 400);
    await expectError(guest.collection('posts').create({ title: 'x', slug: 'x2', status: 'draft', author: aliceId }), 400);
    const err = await expectError(alice.collection('posts').create({ slug: 'x3', status: 'nope', author: aliceId }), 400);
    expect(err.response.data.title.code).toBe('validation_required');
    expect(err.response.data.status.code).toBe('validation_invalid_value');
    await expectError(alice.collection('tags').create({ name: 'mine' }), 403);
  });

  it('unique index violations are validation_not_unique on the field', async () => {
    await alice.collection('posts').create({ title: 'A', slug: 'same-slug', status: 'published', author: aliceId });
    const err = await expectError(alice.collection('posts').create({ title: 'B', slug: 'same-slug', status: 'published', author: aliceId }), 400);
    expect(err.response.data.slug.code).toBe('validation_not_unique');
  });

  it('getList with filter, sort, expand and fields; getFullList; getFirstListItem', async () => {
    for (let i = 0; i < 5; i++) {
      await bob.collection('posts').create({ title: `Bob ${i}`, slug: `bob-${i}`, status: i < 3 ? 'published' : 'draft', author: bobId, tags: [tagIds[i % 3]] });
    }
    const page = await guest.collection('posts').getList(1, 2, { filter: guest.filter('author = {:a}', { a: bobId }), sort: '-title' });
    expect(page.totalItems).toBe(3);
    expect(page.totalPages).toBe(2);
    expect(page.items.map((p) => p.title)).toEqual(['Bob 2', 'Bob 1']);

    const mine = await bob.collection('posts').getFullList({ filter: `author = "${bobId}"`, sort: 'title', batch: 2 });
    expect(mine.map((p) => p.title)).toEqual(['Bob 0', 'Bob 1', 'Bob 2', 'Bob 3', 'Bob 4']);

    const expanded = await guest.collection('posts').getList(1, 10, { filter: `slug = "bob-0"`, expand: 'author,tags', fields: 'id,title,expand.author.name,expand.tags.name' });
    expect(expanded.items[0]).toEqual({ id: expect.any(String), title: 'Bob 0', expand: { author: { name: 'Bob' }, tags: [{ name: 'news' }] } });

    const first = await guest.collection('posts').getFirstListItem('title ~ "Bob 1"');
    expect(first.slug).toBe('bob-1');
    await expectError(guest.collection('posts').getFirstListItem('title = "does not exist"'), 404);
  });

  it('email stays hidden from other users unless visible', async () => {
    const seen = await bob.collection('users').getOne(aliceId).catch(() => null);
    if (seen) expect(seen.email).toBeUndefined();
    const own = await alice.collection('users').getOne(aliceId);
    expect(own.email).toBe('alice@example.com');
    expect(own.password).toBeUndefined();
    expect(own.tokenKey).toBeUndefined();
  });

  it('a @request filter from a non-superuser is 403, a bad filter 400', async () => {
    await expectError(guest.collection('posts').getList(1, 10, { filter: '@request.auth.id != ""' }), 403);
    await expectError(guest.collection('posts').getList(1, 10, { filter: 'nosuchfield = 1' }), 400);
    await expectError(guest.collection('posts').getList(1, 10, { filter: 'title = (' }), 400);
  });

  it('superusers see everything and read collections', async () => {
    const all = await admin.collection('posts').getFullList();
    expect(all.some((p) => p.status === 'draft')).toBe(true);
    const collections = await admin.collections.getFullList();
    expect(collections.map((c) => c.name)).toEqual(expect.arrayContaining(['users', 'posts', 'comments', 'tags', '_superusers']));
    const posts = await admin.collections.getOne('posts');
    expect(posts.fields.map((f: { name: string }) => f.name)).toContain('title');
    await expectError(alice.collections.getFullList(), 403);
    await expectError(guest.collections.getFullList(), 401);
  });

  it('deleting a post cascades to its comments', async () => {
    const post = await alice.collection('posts').create({ title: 'C', slug: 'cascade', status: 'published', author: aliceId });
    const comment = await bob.collection('comments').create({ post: post.id, author: bobId, body: 'nice' });
    await alice.collection('posts').delete(post.id);
    await expectError(admin.collection('comments').getOne(comment.id), 404);
  });
});
