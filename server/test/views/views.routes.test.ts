// View collections through the records API: read-only list/view with rules, filters and sort over inferred
// fields, expand through a relation column, views over views (a relation to a view expands into it), and
// the official SDK on a real listener.
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestGalley, superuserToken, runScenario, type Scenario, type TestGalley } from '../helpers/test-galley.ts';

const SCHEMA = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'name', type: 'text' }] },
  {
    name: 'posts',
    listRule: '',
    viewRule: '',
    createRule: '@request.auth.id != ""',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1 },
      { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 },
      { name: 'views', type: 'number' },
      { name: 'secret', type: 'text', hidden: true },
    ],
  },
  {
    // a rule over inferred fields, through the cloned relation into users
    name: 'published',
    type: 'view',
    listRule: 'author.name != "Mallory"',
    viewRule: '@request.auth.id = author',
    viewQuery: "SELECT p.id, p.title, p.author, p.views, p.secret, p.created FROM posts p WHERE p.status = 'published'",
  },
  {
    name: 'author_stats',
    type: 'view',
    listRule: 'total > 1',
    viewRule: '',
    viewQuery: 'SELECT p.author AS id, p.author, count(p.id) AS total, sum(p.views) AS views, CAST(max(p.views) AS INTEGER) AS best\nFROM posts p\nGROUP BY p.author',
  },
  {
    name: 'stat_refs',
    type: 'view',
    listRule: '',
    viewRule: '',
    viewQuery: 'SELECT s.id, s.id AS stat, s.total FROM author_stats s',
  },
];

let t: TestGalley;
let url = '';
const tokens: Record<string, string | null> = { guest: null };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  tokens['root'] = await superuserToken(t);
  for (const name of ['Ann', 'Bob', 'Mallory']) {
    const u = await signUp(t, 'users', { email: `${name.toLowerCase()}@example.com`, name });
    [tokens[name], ids[name]] = [u.token, u.id];
  }
  const mk = async (who: string, title: string, status: string, views: number) => {
    const r = await t.call('POST', '/api/collections/posts/records', { body: { title, status, views, author: ids[who] }, auth: tokens[who] });
    if (r.status !== 200) throw new Error(`seed ${title}: ${r.status} ${r.text}`);
    ids[title] = r.json.id;
    await t.call('PATCH', `/api/collections/posts/records/${r.json.id}`, { body: { secret: `s-${title}` }, auth: tokens['root'] });
  };
  await mk('Ann', 'Ann one', 'published', 10);
  await mk('Ann', 'Ann two', 'published', 3);
  await mk('Ann', 'Ann draft', 'draft', 99);
  await mk('Bob', 'Bob one', 'published', 7);
  await mk('Mallory', 'Mallory one', 'published', 50);
  ({ url } = await t.galley.listen('127.0.0.1:0'));
}, 60_000);

afterAll(() => t?.close());

const run = (s: Scenario) => runScenario(t, s, tokens);

const published = '/api/collections/published/records';
const stats = '/api/collections/author_stats/records';
const q = (s: string) => encodeURIComponent(s);

describe('a view collection through the records API', () => {
  const table: Scenario[] = [
    { name: 'the listRule hides rows through the relation column', method: 'GET', path: published, status: 200, contains: ['Ann one', 'Bob one', '"totalItems":3'], notContains: ['Mallory one', 'Ann draft'] },
    { name: 'a superuser sees every row the query gives', method: 'GET', path: published, as: 'root', status: 200, contains: ['Mallory one', '"totalItems":4'], notContains: ['Ann draft'] },
    { name: 'a hidden source field stays hidden in the view', method: 'GET', path: published, status: 200, notContains: ['s-Ann one', '"secret"'] },
    { name: 'a superuser sees the hidden field', method: 'GET', path: published, as: 'root', status: 200, contains: ['"secret":"s-Ann one"'] },
    { name: 'filter on a number field of the view', method: 'GET', path: `${published}?filter=${q('views >= 7')}`, status: 200, contains: ['Ann one', 'Bob one', '"totalItems":2'] },
    { name: 'filter through the view’s relation column', method: 'GET', path: `${published}?filter=${q('author.name = "Bob"')}`, status: 200, contains: ['Bob one', '"totalItems":1'] },
    { name: 'an unknown field in a filter is a 400', method: 'GET', path: `${published}?filter=${q('nope = 1')}`, status: 400 },
    { name: 'the viewRule reads the request: a guest gets 404', method: 'GET', path: () => `${published}/${ids['Ann one']}`, status: 404 },
    { name: 'the viewRule reads the request: the author gets the row', method: 'GET', path: () => `${published}/${ids['Ann one']}`, as: 'Ann', status: 200, contains: ['"collectionName":"published"', '"title":"Ann one"'] },
    { name: 'an aggregate view: count is a number, its rule filters on it', method: 'GET', path: stats, status: 200, contains: ['"total":3', '"totalItems":1'], notContains: ['"total":1'] },
    { name: 'CAST(… AS INTEGER) is a number field and filters as one', method: 'GET', path: `${stats}?filter=${q('best > 60')}`, as: 'root', status: 200, contains: ['"best":99', '"totalItems":1'] },
    {
      name: 'a base collection’s filter reads a view through @collection',
      method: 'GET',
      path: `/api/collections/posts/records?filter=${q('@collection.author_stats.id ?= author && @collection.author_stats.total ?> 2')}`,
      as: 'root',
      status: 200,
      contains: ['Ann one', 'Ann draft', '"totalItems":3'],
      notContains: ['Bob one'],
    },
    { name: 'create on a view is PocketBase’s 400', method: 'POST', path: published, body: { title: 'x' }, as: 'root', status: 400, contains: ['Unsupported collection type.'] },
    { name: 'update on a view is PocketBase’s 400', method: 'PATCH', path: () => `${published}/${ids['Ann one']}`, body: { title: 'x' }, as: 'root', status: 400, contains: ['Unsupported collection type.'] },
    { name: 'delete on a view is PocketBase’s 400', method: 'DELETE', path: () => `${published}/${ids['Ann one']}`, as: 'root', status: 400, contains: ['Unsupported collection type.'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });

  it('sorts by inferred fields and expands the relation column into users', async () => {
    const res = await run({ name: 'sort + expand', method: 'GET', path: `${published}?sort=-views&expand=author`, status: 200 });
    expect(res.json.items.map((r: any) => r.title)).toEqual(['Ann one', 'Bob one', 'Ann two']);
    expect(res.json.items[0].expand.author).toMatchObject({ collectionName: 'users', name: 'Ann' });
  });

  it('a sum() column is a json field carrying the number; the view record id is the author id', async () => {
    const res = await run({ name: 'sum', method: 'GET', path: `${stats}?sort=-total`, as: 'root', status: 200 });
    expect(res.json.items[0]).toMatchObject({ id: ids['Ann'], author: ids['Ann'], total: 3, views: 112, best: 99, collectionName: 'author_stats' });
  });

  it('a view over a view: its relation to the inner view expands into it, and on through the inner relation', async () => {
    const res = await run({ name: 'view over view', method: 'GET', path: `/api/collections/stat_refs/records?expand=${q('stat.author')}`, as: 'root', status: 200 });
    const ann = res.json.items.find((r: any) => r.id === ids['Ann']);
    expect(ann).toMatchObject({ stat: ids['Ann'], total: 3 });
    expect(ann.expand.stat).toMatchObject({ collectionName: 'author_stats', total: 3 });
    expect(ann.expand.stat.expand.author).toMatchObject({ name: 'Ann' });
  });

  it('a view’s fields follow its query: types and options of the source fields', async () => {
    const res = await run({ name: 'collection', method: 'GET', path: '/api/collections/published', as: 'root', status: 200 });
    const fields = Object.fromEntries(res.json.fields.map((f: any) => [f.name, f]));
    expect(Object.keys(fields)).toEqual(['id', 'title', 'author', 'views', 'secret', 'created']);
    expect(fields.author).toMatchObject({ type: 'relation', maxSelect: 1 });
    expect(fields.secret).toMatchObject({ type: 'text', hidden: true });
    expect(fields.created).toMatchObject({ type: 'autodate' });
  });
});

describe('the pocketbase SDK on a view', () => {
  it('lists with filter, sort and expand, reads one record, and gets a 400 on write', async () => {
    const pb = new PocketBase(url);
    await pb.collection('users').authWithPassword('ann@example.com', 'password123');
    const list = await pb.collection('published').getList(1, 2, { filter: pb.filter('views > {:min}', { min: 2 }), sort: '-views', expand: 'author' });
    expect(list.totalItems).toBe(3);
    expect(list.items.map((r) => r['title'])).toEqual(['Ann one', 'Bob one']);
    expect(list.items[1]!.expand?.['author']?.name).toBe('Bob');
    const one = await pb.collection('published').getOne(ids['Ann two']!, { expand: 'author' });
    expect(one.expand?.['author']?.id).toBe(ids['Ann']);
    const all = await pb.collection('author_stats').getFullList({ sort: 'id' });
    expect(all.map((r) => r['total'])).toEqual([3]);
    const err = await pb.collection('published').create({ title: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientResponseError);
    expect((err as ClientResponseError).status).toBe(400);
  });
});
