import { sql, type Expression, type SqlBool } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../db/open.ts';
import { compileSqlOnly, useSeededDatabase } from '../db/testing.ts';
import { GalleyError } from '../errors.ts';
import { compileRuleWhere } from '../rules/compile-rule.ts';
import { guestRequest, type RequestInfo } from '../rules/request-info.ts';
import { buildSchema, type CollectionModel, type FieldModel } from '../schema/model.ts';
import { compileFilterWhere, compileSortOrder, type FilterScope } from './resolver.ts';

// ---------------------------------------------------------------- schema

const field = (name: string, type: string, opts: Record<string, unknown> = {}): FieldModel => ({
  id: `${type}_${name}`,
  name,
  type,
  system: false,
  hidden: false,
  presentable: false,
  ...opts,
});
const rel = (name: string, collectionId: string, maxSelect = 1, opts: Record<string, unknown> = {}) =>
  field(name, 'relation', { collectionId, maxSelect, minSelect: 0, cascadeDelete: false, ...opts });

function collection(name: string, fields: FieldModel[], extra: Partial<CollectionModel> = {}): CollectionModel {
  return {
    id: `c_${name}`,
    name,
    type: 'base',
    system: false,
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [field('id', 'text', { primaryKey: true }), ...fields],
    indexes: [],
    ...extra,
  };
}

const teams = collection('teams', [field('name', 'text'), field('private', 'bool')], { listRule: 'private = false' });
const users = collection(
  'users',
  [
    field('email', 'email'),
    field('emailVisibility', 'bool'),
    field('verified', 'bool'),
    field('password', 'password', { hidden: true }),
    field('name', 'text'),
    field('secret', 'text', { hidden: true }),
    rel('team', 'c_teams'),
  ],
  { type: 'auth', listRule: 'verified = true' },
);
const superusers = collection('_superusers', [field('email', 'email')], { type: 'auth', listRule: null });
const tags = collection('tags', [field('name', 'text')]);
const secrets = collection('secrets', [field('code', 'text')], { listRule: null });
const posts = collection('posts', [
  field('title', 'text'),
  rel('author', 'c_users'),
  rel('tags', 'c_tags', 5),
  field('status', 'select', { values: ['draft', 'live'], maxSelect: 1 }),
  field('labels', 'select', { values: ['x', 'y'], maxSelect: 3 }),
  field('meta', 'json', { maxSize: 0 }),
  field('loc', 'geoPoint'),
  field('views', 'number'),
  field('secret', 'text', { hidden: true }),
  rel('vault', 'c_secrets'),
  rel('parent', 'c_posts'),
]);
const comments = collection('comments', [rel('post', 'c_posts'), field('message', 'text')]);
const profiles = collection('profiles', [rel('post', 'c_posts'), field('bio', 'text')], {
  indexes: ['CREATE UNIQUE INDEX `idx_profiles_post` ON `profiles` (`post`)'],
});
const schema = buildSchema([teams, users, superusers, tags, secrets, posts, comments, profiles]);

// ---------------------------------------------------------------- data

const TABLES: Record<string, string> = {
  teams: 'id TEXT PRIMARY KEY, name TEXT, private INTEGER',
  users: 'id TEXT PRIMARY KEY, email TEXT, emailVisibility INTEGER, verified INTEGER, password TEXT, name TEXT, secret TEXT, team TEXT',
  tags: 'id TEXT PRIMARY KEY, name TEXT',
  secrets: 'id TEXT PRIMARY KEY, code TEXT',
  posts:
    'id TEXT PRIMARY KEY, title TEXT, author TEXT, tags TEXT, status TEXT, labels TEXT, meta TEXT, loc TEXT, views NUMERIC, secret TEXT, vault TEXT, parent TEXT',
  comments: 'id TEXT PRIMARY KEY, post TEXT, message TEXT',
  profiles: 'id TEXT PRIMARY KEY, post TEXT, bio TEXT',
};
const ROWS: Record<string, Record<string, unknown>[]> = {
  teams: [
    { id: 't1', name: 'red', private: 0 },
    { id: 't2', name: 'blue', private: 1 },
  ],
  users: [
    { id: 'u1', email: 'ann@x.io', emailVisibility: 1, verified: 1, password: 'h', name: 'Ann', secret: 's-ann', team: 't1' },
    { id: 'u2', email: 'bob@x.io', emailVisibility: 0, verified: 0, password: 'h', name: 'Bob', secret: 's-bob', team: 't2' },
    { id: 'u3', email: 'cy@x.io', emailVisibility: 0, verified: 1, password: 'h', name: 'Cy', secret: 's-cy', team: '' },
  ],
  tags: [
    { id: 'g1', name: 'a' },
    { id: 'g2', name: 'b' },
    { id: 'g3', name: 'c' },
  ],
  secrets: [{ id: 's1', code: 'k1' }],
  posts: [
    { id: 'p1', title: 'Hello', author: 'u1', tags: '["g1","g2"]', status: 'draft', labels: '["x","y"]', meta: '{"a":[1,2],"b":"z"}', loc: '{"lon":10,"lat":20}', views: 10, secret: 'p1s', vault: 's1', parent: '' },
    { id: 'p2', title: 'World', author: 'u2', tags: '["g1"]', status: 'live', labels: '[]', meta: 'null', loc: '{"lon":0,"lat":0}', views: 0, secret: '', vault: '', parent: 'p1' },
    { id: 'p3', title: '', author: '', tags: '[]', status: '', labels: '["x"]', meta: '{"a":[3]}', loc: '{"lon":-5,"lat":1}', views: 5, secret: '', vault: '', parent: 'p2' },
    { id: 'p4', title: 'hello again', author: 'u3', tags: '["g2","g3"]', status: 'live', labels: '["y","y"]', meta: '{}', loc: '{"lon":3,"lat":4}', views: 20, secret: '', vault: '', parent: 'p3' },
  ],
  comments: [
    { id: 'c1', post: 'p1', message: 'hi' },
    { id: 'c2', post: 'p1', message: 'hey' },
    { id: 'c3', post: 'p2', message: 'hi' },
  ],
  profiles: [{ id: 'r1', post: 'p1', bio: 'first' }],
};

// ---------------------------------------------------------------- requests

const ann: RequestInfo = {
  ...guestRequest('PATCH'),
  auth: { collection: users, record: ROWS.users![0]! },
  query: { q: 'Hello' },
  headers: { x_token: 'abc' },
  body: { title: 'World', tags: ['g1', 'g3'], views: '5', nested: { a: [1, { b: 'deep' }] } },
};
const guest = guestRequest();
const root: RequestInfo = { ...guestRequest(), auth: { collection: superusers, record: { id: 'su1', email: 'root@x.io' } } };

const scope = (info: RequestInfo, alias = 'posts'): FilterScope => ({ schema, collection: posts, info, alias });

let db: OpenedDatabase;
useSeededDatabase(TABLES, ROWS, (opened) => (db = opened));
const sqlOf = compileSqlOnly;

async function idsWhere(where: Expression<SqlBool>, alias = 'posts'): Promise<string[]> {
  const rows = await db.read
    .selectFrom(`posts as ${alias}`)
    .select(`${alias}.id` as 'id')
    .where(where)
    .orderBy(`${alias}.id` as 'id')
    .execute();
  return rows.map((r) => String(r.id));
}
const rule = (info: RequestInfo, filter: string) => idsWhere(compileFilterWhere(scope(info), filter, 'rule'));
const client = (info: RequestInfo, filter: string) => idsWhere(compileFilterWhere(scope(info), filter, 'client'));

function errorOf(fn: () => unknown): GalleyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GalleyError) return err;
    throw err;
  }
  throw new Error('no error');
}

// ---------------------------------------------------------------- tests

describe('fields, relations and back-relations (rule mode)', () => {
  it.each([
    ['title = "Hello"', ['p1']],
    ['title = ""', ['p3']],
    ['views >= 10', ['p1', 'p4']],
    ['author.name = "Ann"', ['p1']],
    ['author.team.name = "red"', ['p1']],
    ['author.name != "Ann"', ['p2', 'p3', 'p4']],
    // multi relation: all-of for plain operators, any-of for `?`, an empty set is one NULL item
    ['tags.name = "a"', ['p2']],
    ['tags.name ?= "a"', ['p1', 'p2']],
    ['tags.name != "a"', ['p3', 'p4']],
    ['tags.name ?!= "a"', ['p1', 'p3', 'p4']],
    ['tags.name = ""', ['p3']],
    // wire: both identifiers share one joined tag row, which cannot be named a and b at once
    ['tags.name ?= "a" && tags.name ?= "b"', []],
    ['tags.id ?= "g3"', ['p4']],
    // a bare multi-value column is its JSON text
    ['tags = \'["g1"]\'', ['p2']],
    ['tags ~ "g2"', ['p1', 'p4']],
    // back-relations: multiple unless the back field has a single-column UNIQUE index
    ['comments_via_post.message ?= "hi"', ['p1', 'p2']],
    ['comments_via_post.message = "hi"', ['p2']],
    ['comments_via_post.message != "hi"', ['p3', 'p4']],
    ['comments_via_post.id = ""', ['p3', 'p4']],
    ['profiles_via_post.bio = "first"', ['p1']],
    ['parent.parent.title = "Hello"', ['p3']],
    ['parent.parent.parent.parent.parent.parent.title = "Hello"', []],
    // json and geoPoint paths
    ['meta.a.0 = 1', ['p1']],
    ['meta.b = "z"', ['p1']],
    ['meta = null', ['p2']],
    ['meta.a.1 > 1', ['p1']],
    ['loc.lon > 5', ['p1']],
    ['geoDistance(loc.lon, loc.lat, 10, 20) < 1', ['p1']],
    // modifiers
    ['tags:length = 2', ['p1', 'p4']],
    ['labels:length = 0', ['p2']],
    ['labels:each = "x"', ['p3']],
    ['labels:each ?= "y"', ['p1', 'p4']],
    ['labels:each = "y"', ['p4']],
    ['status:each = "live"', ['p2', 'p4']],
    ['title:lower = "hello"', ['p1']],
    ['title:lower ~ "hello"', ['p1', 'p4']],
    // literals and macros
    ['views = true', []],
    ['title != null && @now > "2000-01-01"', ['p1', 'p2', 'p4']],
  ])('%s', async (filter, expected) => {
    expect(await rule(ann, filter)).toEqual(expected);
  });

  it('joins nothing for `rel.id` of a single relation', () => {
    const out = sqlOf(compileFilterWhere(scope(ann), 'author.id = "u1"', 'rule'));
    expect(out.sql).toBe('"posts"."author" = ?');
    expect(out.parameters).toEqual(['u1']);
  });

  it('skips the all-of check for a back-relation through a unique field', () => {
    const unique = sqlOf(compileFilterWhere(scope(ann), 'profiles_via_post.bio = "first"', 'rule')).sql;
    const multiple = sqlOf(compileFilterWhere(scope(ann), 'comments_via_post.message = "hi"', 'rule')).sql;
    expect(unique).not.toContain('NOT EXISTS');
    expect(multiple).toContain('NOT EXISTS');
  });

  it('compiles against the alias it is given', async () => {
    const where = compileFilterWhere(scope(ann, 'p'), 'author.name = "Ann" || tags.name = "a"', 'rule');
    expect(sqlOf(where).sql).not.toContain('"posts"');
    expect(await idsWhere(where, 'p')).toEqual(['p1', 'p2']);
  });

  it('limits relation traversal to 6 levels', () => {
    const err = errorOf(() => compileFilterWhere(scope(ann), 'parent.parent.parent.parent.parent.parent.parent.title = ""', 'rule'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/too many relation levels/);
  });

  it.each([
    ['nope = 1', /unknown field "nope"/],
    ['author.nope = 1', /unknown field "author.nope"/],
    ['title.x = 1', /"title" is not a relation field/],
    ['title:bogus = 1', /unknown modifier ":bogus"/],
    ['nope_via_post.x = 1', /unknown field/],
    ['comments_via_title.x = 1', /unknown field/],
    ['#x = 1', /unknown field "#x"/],
  ])('refuses %s', (filter, message) => {
    const err = errorOf(() => compileFilterWhere(scope(ann), filter, 'rule'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(message);
  });
});

describe('@request.* and @collection.* (rule mode)', () => {
  it.each([
    ['author = @request.auth.id', ann, ['p1']],
    ['@request.auth.id != ""', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.auth.id != ""', guest, []],
    ['@request.auth.id = ""', guest, ['p1', 'p2', 'p3', 'p4']],
    ['@request.auth.collectionName = "users" && @request.auth.verified = true', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.auth.email = "ann@x.io"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.auth.name = author.name', ann, ['p1']],
    ['@request.auth.team.name = "red"', ann, ['p1', 'p2', 'p3', 'p4']],
    // a guest's auth fields are NULL, which equals a missing author's name
    ['@request.auth.name = author.name', guest, ['p3']],
    ['@request.body.title = title', ann, ['p2']],
    ['@request.body.title:isset = true', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.missing:isset = true', ann, []],
    ['@request.body.missing = null', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.nested.a.1.b = "deep"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.nested.a.5 = null', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.title:lower = "world"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.title:changed = false', ann, ['p2']],
    ['@request.body.title:changed = true', ann, ['p1', 'p3', 'p4']],
    ['@request.body.views:changed = true', ann, ['p1', 'p2', 'p4']],
    ['@request.body.status:changed = true', ann, []],
    // relation fields of the body traverse the submitted ids
    ['@request.body.tags.name ?= "c"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.tags.name = "a"', ann, []],
    ['@request.body.tags.name ?= "b"', ann, []],
    ['@request.body.tags:length = 2', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.tags:each ?= "g3"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.body.tags:each = "g3"', ann, []],
    ['tags.id ?= @request.body.tags:each', ann, ['p1', 'p2', 'p4']],
    ['title = @request.query.q', ann, ['p1']],
    ['@request.query.q:isset = true && @request.query.other:isset = false', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.headers.x_token = "abc"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@request.method = "GET"', ann, []],
    ['@request.method = "PATCH" && @request.context = "default"', ann, ['p1', 'p2', 'p3', 'p4']],
    // @collection joins every record of the collection; one alias is one joined row
    ['@collection.tags.name ?= "c"', ann, ['p1', 'p2', 'p3', 'p4']],
    ['@collection.tags.name = "c"', ann, []],
    ['@collection.comments.post ?= id && @collection.comments.message ?= "hey"', ann, ['p1']],
    ['@collection.comments:a.post ?= id && @collection.comments:b.message ?= "hey"', ann, ['p1', 'p2']],
  ] as const)('%s (%#)', async (filter, info, expected) => {
    expect(await rule(info, filter)).toEqual(expected);
  });

  it('binds request values, converting numeric text for a number field of that name', () => {
    const out = sqlOf(compileFilterWhere(scope(ann), '@request.body.views = views', 'rule'));
    expect(out.sql).toBe('? = "posts"."views"');
    expect(out.parameters).toEqual([5]);
  });

  it.each([
    ['@request.foo = 1', /unknown field "@request.foo"/],
    ['@request.query.q:each = 1', /:each modifier does not apply/],
    ['@request.body.title:each = 1', /no multiple values/],
    ['@collection.nope.x = 1', /unknown field/],
    // Galley: PocketBase ignores these on a collection field (so `title:isset = true` matched nothing)
    ['title:isset = "Hello"', /the :isset modifier does not apply to the field "title" \(only @request\.\* values take it\)/],
    ['title:changed = true', /the :changed modifier does not apply/],
    ['views:length > 1', /the :length modifier does not apply to the field "views" \(only select, file and relation fields take it\)/],
  ])('refuses %s', (filter, message) => {
    expect(() => compileFilterWhere(scope(ann), filter, 'rule')).toThrow(message);
  });
});

describe('client filters', () => {
  it('refuses @request. and @collection. to non-superusers with 403 (even inside values)', () => {
    const a = errorOf(() => compileFilterWhere(scope(ann), '@request.auth.id != ""', 'client'));
    expect([a.kind, a.message]).toEqual(['forbidden', 'Only superusers can filter by @request.']);
    const b = errorOf(() => compileFilterWhere(scope(guest), 'title = "@collection.x"', 'client'));
    expect([b.kind, b.message]).toEqual(['forbidden', 'Only superusers can filter by @collection.']);
    const c = errorOf(() => compileSortOrder(scope(guest), '@request.auth.id'));
    expect(c.kind).toBe('forbidden');
  });

  it('lets superusers use @request, @collection and hidden fields', async () => {
    expect(await client(root, '@request.auth.collectionName = "_superusers" && secret = "p1s"')).toEqual(['p1']);
    expect(await client(root, '@collection.tags.name ?= "c"')).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(await client(root, 'author.secret = "s-bob"')).toEqual(['p2']);
  });

  it('answers a hidden field exactly as an unknown one', () => {
    const hidden = errorOf(() => compileFilterWhere(scope(ann), 'secret = "p1s"', 'client'));
    const unknown = errorOf(() => compileFilterWhere(scope(ann), 'nopexy = "p1s"', 'client'));
    expect([hidden.kind, hidden.message.replace('secret', 'X')]).toEqual([unknown.kind, unknown.message.replace('nopexy', 'X')]);
    // the reason is kept for logs only
    expect((hidden.cause as Error).message).toBe('field "secret" is hidden');
    expect((unknown.cause as Error).message).toBe('no field "nopexy" in "posts"');
    expect(errorOf(() => compileFilterWhere(scope(guest), 'author.secret = "x"', 'client')).message).toBe(
      'unknown field "author.secret" at 0',
    );
    expect(errorOf(() => compileFilterWhere(scope(guest), 'author.password = "h"', 'client')).kind).toBe('invalid');
  });

  it('matches emails only where they are public', async () => {
    // Cy is listed (verified) but hides his email; Ann shows hers
    expect(await client(guest, 'author.email = "cy@x.io"')).toEqual([]);
    expect(await client(guest, 'author.email ~ "@x.io"')).toEqual(['p1']);
    expect(await rule(guest, 'author.email = "cy@x.io"')).toEqual(['p4']);
    expect(await client(root, 'author.email = "cy@x.io"')).toEqual(['p4']);
  });

  it("enforces the joined collections' listRule on joined rows", async () => {
    // Bob is not verified: users' listRule hides him from a guest's filter
    expect(await client(guest, 'author.name = "Bob"')).toEqual([]);
    expect(await rule(guest, 'author.name = "Bob"')).toEqual(['p2']);
    // wire: a joined row failing the listRule removes the record, whatever the rest says
    expect(await client(guest, 'author.name = "Bob" || title = "World"')).toEqual([]);
    // a missing relation does not fail the check
    expect(await client(guest, 'author.name = "Ann" || title = ""')).toEqual(['p1', 'p3']);
    // two levels: the team "blue" is private (teams' listRule `private = false`)
    expect(await client(guest, 'author.team.name = "red"')).toEqual(['p1']);
    expect(await rule(guest, 'author.team.name = "blue"')).toEqual(['p2']);
    expect(await client(root, 'author.team.name = "blue"')).toEqual(['p2']);
  });

  it('runs a listRule check that itself joins relations and reads @request.auth', async () => {
    const guarded = { ...profiles, listRule: 'post.views > 10 || @request.auth.id = "u1"' };
    const schema2 = buildSchema([teams, users, superusers, tags, secrets, posts, comments, guarded]);
    const where = (info: RequestInfo) =>
      compileFilterWhere({ schema: schema2, collection: posts, info, alias: 'posts' }, 'profiles_via_post.bio = "first"', 'client');
    // the check's own joins get their own aliases, apart from the filter's
    expect(sqlOf(where(guest)).sql).toContain('"posts.profiles_via_post~1.post"');
    expect(await idsWhere(where(guest))).toEqual([]);
    expect(await idsWhere(where(ann))).toEqual(['p1']);
  });

  it('refuses traversal into a collection whose listRule is null', async () => {
    const err = errorOf(() => compileFilterWhere(scope(guest), 'vault.code = "k1"', 'client'));
    expect([err.kind, err.message]).toEqual(['invalid', 'unknown field "vault.code" at 0']);
    expect((err.cause as Error).message).toMatch(/listRule of "secrets" is null/);
    expect(await rule(guest, 'vault.code = "k1"')).toEqual(['p1']);
    expect(await client(root, 'vault.code = "k1"')).toEqual(['p1']);
  });

  it('caps the length of client filters only', async () => {
    const long = `title != "${'x'.repeat(3600)}"`;
    expect(errorOf(() => compileFilterWhere(scope(guest), long, 'client')).message).toMatch(/too long/);
    expect(await rule(guest, long)).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('matches everything for an empty filter', async () => {
    expect(await client(guest, '')).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it.each([
    `title = "'; DROP TABLE posts; --"`,
    `title = '"); DELETE FROM posts; --'`,
    `title ~ "%' OR 1=1 --"`,
    'title = "x" || 1=1',
    'title = "\\"; DROP TABLE posts; --"',
  ])('binds injection payloads as values: %s', async (filter) => {
    const where = compileFilterWhere(scope(guest), filter, 'client');
    const out = sqlOf(where);
    expect(out.sql).not.toMatch(/DROP|DELETE|1=1/);
    await idsWhere(where);
    const left = await db.read.selectFrom('posts').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    expect(Number(left?.n)).toBe(4);
  });

  it('matches every row for the always-true `|| 1=1`, as a bound comparison', async () => {
    expect(await client(guest, 'title = "x" || 1=1')).toEqual(['p1', 'p2', 'p3', 'p4']);
  });
});

describe('compileSortOrder', () => {
  async function sorted(info: RequestInfo, sort: string): Promise<string[]> {
    let q = db.read.selectFrom('posts').select('posts.id');
    for (const t of compileSortOrder(scope(info), sort)) q = q.orderBy(t.expr as never, t.direction);
    return (await q.execute()).map((r) => String(r.id));
  }

  it.each([
    ['-views', guest, ['p4', 'p1', 'p3', 'p2']],
    ['+title', guest, ['p3', 'p1', 'p2', 'p4']],
    ['status,-views', guest, ['p3', 'p1', 'p4', 'p2']],
    ['-@rowid', guest, ['p4', 'p3', 'p2', 'p1']],
    // relations sort by the joined value (smallest item ascending); Bob is hidden from guests by users' listRule
    ['author.name,-views', guest, ['p3', 'p2', 'p1', 'p4']],
    ['author.name,-views', root, ['p3', 'p1', 'p2', 'p4']],
    ['-tags.name,views', guest, ['p4', 'p1', 'p2', 'p3']],
    ['meta.a.0,views', guest, ['p2', 'p4', 'p1', 'p3']],
    ['secret,-views', root, ['p4', 'p3', 'p2', 'p1']],
  ] as const)('%s', async (sort, info, expected) => {
    expect(await sorted(info, sort)).toEqual(expected);
  });

  it('sorts @random without a direction', async () => {
    const [t] = compileSortOrder(scope(guest), '-@random');
    expect(sqlOf(t!.expr).sql).toBe('RANDOM()');
    expect((await sorted(guest, '@random')).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('sorts by an email only where it is public', async () => {
    const [t] = compileSortOrder(scope(guest), 'author.email');
    expect(sqlOf(t!.expr).sql).toContain('CASE WHEN');
  });

  it.each([
    ['secret', guest, 'invalid'],
    ['nope', guest, 'invalid'],
    ['@request.auth.id', root, 'invalid'],
    ['true', guest, 'invalid'],
    ['a,b,c,d,e,f,g,h,i', guest, 'invalid'],
    ['x'.repeat(256), guest, 'invalid'],
    ['vault.code', guest, 'invalid'],
  ] as const)('refuses %s', (sort, info, kind) => {
    expect(errorOf(() => compileSortOrder(scope(info), sort)).kind).toBe(kind);
  });

  it('returns no terms for an empty sort', () => {
    expect(compileSortOrder(scope(guest), '')).toEqual([]);
  });
});

describe('compileRuleWhere', () => {
  it('turns null into deny and "" into allow', () => {
    expect(compileRuleWhere(scope(guest), null)).toBe('deny');
    expect(compileRuleWhere(scope(guest), '')).toBe('allow');
  });

  it('compiles a rule with full access: hidden fields, no listRule checks, no email guard', async () => {
    const where = compileRuleWhere(scope(guest), 'secret = "p1s" || author.email = "cy@x.io" || vault.code = "x"');
    if (typeof where === 'string') throw new Error(where);
    expect(await idsWhere(where)).toEqual(['p1', 'p4']);
  });

  it('refuses a blank rule as PocketBase does, with the generic 400 (the reason is for the log only)', () => {
    const err = (() => {
      try {
        compileRuleWhere(scope(guest), '   ');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe('Something went wrong while processing your request.');
    expect(String((err?.cause as Error).message)).toMatch(/a rule of "posts" failed to compile: .*empty filter expression/);
  });
});
