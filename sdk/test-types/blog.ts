// Type tests: compiled by tsc in sdk/test/types.test.ts. Every wrong use is pinned with @ts-expect-error, so a type
// that widens to `any` (and so accepts the wrong use) fails the compile with "Unused '@ts-expect-error' directive".
import { createClient, expand, filter, where, type RecordFor } from '../src/index.ts';
import schema from './blog.schema.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(_: T) => {};

interface Meta {
  seo: { title: string };
}
const client = createClient<typeof schema, { posts: { meta: Meta } }>('http://127.0.0.1:8090');
const posts = client.collection('posts');

export async function records() {
  const post = await posts.getOne('abc');
  assert<Equal<typeof post.title, string>>(true);
  assert<Equal<typeof post.status, 'draft' | 'published'>>(true);
  assert<Equal<typeof post.labels, Array<'news' | 'howto' | 'opinion'>>>(true);
  assert<Equal<typeof post.author, string>>(true);
  assert<Equal<typeof post.tags, string[]>>(true);
  assert<Equal<typeof post.views, number>>(true);
  assert<Equal<typeof post.featured, boolean>>(true);
  assert<Equal<typeof post.published, string>>(true);
  assert<Equal<typeof post.created, string>>(true);
  assert<Equal<typeof post.meta, Meta>>(true);
  assert<Equal<typeof post.place, { lon: number; lat: number }>>(true);
  assert<Equal<typeof post.collectionName, 'posts'>>(true);
  // @ts-expect-error a misspelled field
  post.titel;
  // @ts-expect-error a wrong select value
  if (post.status === 'archived') return;

  const user = await client.collection('users').getOne('u1');
  assert<Equal<typeof user.email, string | undefined>>(true);
  assert<Equal<typeof user.verified, boolean>>(true);
  assert<Equal<typeof user.emailVisibility, boolean>>(true);
  // @ts-expect-error a hidden field is never in a response
  user.secretNote;
  // @ts-expect-error the password never is
  user.password;
  // @ts-expect-error nor the token key
  user.tokenKey;

  const comment: RecordFor<typeof schema, 'comments'> = await client.collection('comments').getOne('c1');
  assert<Equal<typeof comment.post, string>>(true);
}

export async function bodies(file: File) {
  await posts.create({ title: 'Hello', slug: 'hello', status: 'draft', author: 'u1', cover: file, gallery: [file, new Blob(['x'])] });
  // @ts-expect-error a missing required field on create (status)
  await posts.create({ title: 'Hello', slug: 'hello', author: 'u1' });
  // @ts-expect-error a wrong select value in a body
  await posts.create({ title: 'Hello', slug: 'hello', status: 'archived', author: 'u1' });
  // @ts-expect-error a misspelled key in a body
  await posts.create({ title: 'Hello', slug: 'hello', status: 'draft', author: 'u1', auther: 'x' });
  await posts.update('p1', { 'tags+': 't2', '+labels': ['news'], 'labels-': 'howto', 'views+': 1, 'gallery+': file, 'gallery-': ['old.png'] });
  await posts.update('p1', { gallery: ['keep.png', file], cover: null });
  // @ts-expect-error a single relation takes no list modifier
  await posts.update('p1', { 'author+': 'u2' });
  await client.collection('users').create({ email: 'a@b.c', password: '12345678', passwordConfirm: '12345678', name: 'A' });
  // @ts-expect-error an auth record needs its password on create
  await client.collection('users').create({ email: 'a@b.c', name: 'A' });
  await client.collection('users').update('u1', { oldPassword: 'x', password: 'y', passwordConfirm: 'y' });
  // @ts-expect-error a view takes no writes
  await client.collection('post_stats').create({});
}

export async function expands() {
  const post = await posts.getOne('p1', { expand: 'author,tags,comments_via_post.author' });
  const author = post.expand?.author;
  assert<Equal<typeof author, RecordFor<typeof schema, 'users'> | undefined>>(true);
  assert<Equal<NonNullable<typeof post.expand>['tags'], RecordFor<typeof schema, 'tags'>[] | undefined>>(true);
  const first = post.expand?.comments_via_post?.[0];
  assert<Equal<NonNullable<typeof first>['expand'], { author?: RecordFor<typeof schema, 'users'> } | undefined>>(true);
  // a unique index on profiles.user makes the back-relation single
  const user = await client.collection('users').getOne('u1', { expand: 'profiles_via_user' });
  assert<Equal<NonNullable<typeof user.expand>['profiles_via_user'], RecordFor<typeof schema, 'profiles'> | undefined>>(true);
  const viaHelper = await posts.getList(1, 20, { expand: expand({ author: true, comments_via_post: { author: true } }) });
  const c = viaHelper.items[0]?.expand?.comments_via_post?.[0]?.expand?.author;
  assert<Equal<typeof c, RecordFor<typeof schema, 'users'> | undefined>>(true);
  // @ts-expect-error a misspelled relation
  await posts.getOne('p1', { expand: 'autor' });
  // @ts-expect-error a field that is no relation
  await posts.getOne('p1', { expand: expand({ title: true }) });
  const dynamic: string = 'author';
  const loose = await posts.getOne('p1', { expand: dynamic });
  assert<Equal<typeof loose.expand, { [key: string]: any } | undefined>>(true);
}

export async function fieldsNarrow() {
  const picked = await posts.getOne('p1', { fields: 'id,title,status' });
  assert<Equal<keyof typeof picked, 'id' | 'title' | 'status'>>(true);
  // @ts-expect-error a key left out by fields
  picked.slug;
  const nested = await posts.getOne('p1', { expand: 'author', fields: 'id,title:excerpt(20,true),expand.author.name' });
  assert<Equal<typeof nested.expand, { author?: { name: string } } | undefined>>(true);
  const someFields: string = 'id';
  const partial = await posts.getOne('p1', { fields: someFields });
  assert<Equal<typeof partial.title, string | undefined>>(true);
}

export async function filtersAndSort(since: Date) {
  const status = 'published';
  await posts.getList(1, 20, { filter: filter`status = ${status} && created > ${since}`, sort: '-created,title' });
  await posts.getList(1, 20, { filter: client.filter`title ~ ${'x'}` });
  await posts.getList(1, 20, { filter: 'status = "draft"', sort: ['-views', 'author.name'] as const });
  await posts.getFullList({ where: { status: 'published', views: { gt: 10 }, 'author.name': { like: 'x' }, labels: { anyEq: 'news' } } });
  await posts.getFullList({ where: { $or: [{ status: 'draft' }, { featured: true }], published: { lt: since } } });
  // @ts-expect-error a wrong key in where
  await posts.getFullList({ where: { titel: 'x' } });
  // @ts-expect-error a wrong value in where
  await posts.getFullList({ where: { status: 'archived' } });
  // @ts-expect-error a path through a field that is no relation
  await posts.getFullList({ where: { 'title.name': 'x' } });
  // @ts-expect-error a wrong sort key
  await posts.getList(1, 20, { sort: '-created,titel' });
  // @ts-expect-error a wrong key in a sort list
  await posts.getList(1, 20, { sort: ['-titel'] });
  const dynamicSort: string = '-created';
  await posts.getList(1, 20, { sort: dynamicSort });
}

export async function auth() {
  const users = client.collection('users');
  const { record, token } = await users.authWithPassword('a@b.c', 'pw', { expand: 'profiles_via_user' });
  assert<Equal<typeof token, string>>(true);
  assert<Equal<typeof record.name, string>>(true);
  await users.authWithOAuth2({ provider: 'github' });
  // @ts-expect-error a provider the collection does not configure
  await users.authWithOAuth2({ provider: 'gitlab' });
  // @ts-expect-error a non-auth collection has no authWithPassword
  await posts.authWithPassword('a@b.c', 'pw');
  await client.collection('_superusers').authWithPassword('root@example.com', 'pw');
  // @ts-expect-error an unknown collection
  client.collection('postz');
}

export async function realtime() {
  await posts.subscribe('*', (e) => {
    assert<Equal<typeof e.action, 'create' | 'update' | 'delete'>>(true);
    assert<Equal<typeof e.record.status, 'draft' | 'published'>>(true);
    // @ts-expect-error no such action
    if (e.action === 'upsert') return;
  }, { expand: 'author' });
}

export async function files() {
  const post = await posts.getOne('p1');
  client.files.getURL(post, post.cover, { thumb: '400x300' });
  client.files.getURL(post, post.gallery[0]!, { thumb: '50x50' });
  // @ts-expect-error a thumb size the field does not configure
  client.files.getURL(post, post.cover, { thumb: '50x50' });
  const user = await client.collection('users').getOne('u1');
  // @ts-expect-error a field without thumbs takes none
  client.files.getURL(user, user.avatar, { thumb: '100x100' });
  client.files.getURL(post, 'some-name.png', { thumb: 'anything' });
}

export async function expandEdges() {
  // @ts-expect-error a back-relation from a collection that does not exist
  await posts.getOne('p1', { expand: 'nothing_via_post' });
  // @ts-expect-error a back-relation through a field that points elsewhere
  await posts.getOne('p1', { expand: 'comments_via_author' });
}

export function standaloneWhere() {
  const checked: string = where<typeof schema, 'posts'>({ status: 'published', 'author.name': { like: 'x' } });
  // @ts-expect-error a wrong key, once the collection is named
  where<typeof schema, 'posts'>({ titel: 'x' });
  const unchecked: string = where({ anything: 1 });
  return [checked, unchecked];
}
