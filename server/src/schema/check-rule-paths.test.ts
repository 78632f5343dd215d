import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FULL_LOAD_OPTIONS } from '../rules/check-rule-compiles.ts';
import { loadSchema } from './load.ts';
import { SchemaError } from './schema-error.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** The problem lines a schema produces under the loader `serve` uses (empty when it loads). */
function problemsOf(input: unknown): string[] {
  try {
    loadSchema(input, 'schema', FULL_LOAD_OPTIONS);
    return [];
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const rel = (name: string, collectionId: string, maxSelect = 1) => ({ name, type: 'relation', collectionId, maxSelect });

/** collections/4 is `posts`, whose rules the tables below set. */
function schemaWith(postRules: Record<string, string | null>, usersExtra: Record<string, unknown> = {}): unknown[] {
  return [
    {
      name: 'users',
      type: 'auth',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'roles', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        rel('team', 'teams'),
        { name: 'profile', type: 'json' },
        { name: 'secret', type: 'text', hidden: true },
      ],
      ...usersExtra,
    },
    { name: 'admins', type: 'auth', fields: [{ name: 'level', type: 'number' }, rel('boss', 'users')] },
    { name: 'teams', fields: [{ name: 'name', type: 'text' }, rel('members', 'users', 10)] },
    { name: 'tags', fields: [{ name: 'label', type: 'text' }] },
    {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'views', type: 'number' },
        { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1 },
        { name: 'labels', type: 'select', values: ['x', 'y'], maxSelect: 2 },
        rel('author', 'users'),
        rel('editors', 'users', 5),
        rel('tags', 'tags', 5),
        { name: 'meta', type: 'json' },
        { name: 'place', type: 'geoPoint' },
        { name: 'files', type: 'file', maxSelect: 3 },
        { name: 'draft', type: 'bool' },
        { name: 'notes', type: 'text', hidden: true },
      ],
      ...postRules,
    },
    { name: 'comments', fields: [rel('post', 'posts'), rel('author', 'users'), { name: 'body', type: 'text' }] },
  ];
}

const GOOD_RULES = [
  "title != ''",
  'author = @request.auth.id',
  'author.id = @request.auth.id',
  "author.name ~ 'a' && author.team.name != ''",
  "editors.name ?= 'x'",
  "editors:length > 1 && tags:each != '' && labels:each ?= 'x' && files:length < 3 && status:each = 'draft'",
  "title:lower = 'x' && author.name:lower != ''",
  "comments_via_post.body ?~ 'x' && comments_via_post.author.name != ''",
  "author.comments_via_author.post.title != ''",
  "meta.a.b = 1 && meta.list.0 != '' && place.lon > 1 && meta.x:isset = true",
  'notes = @request.query.notes',
  "@collection.tags.label ?= title && @collection.tags:t.label != '' && @collection.teams:mine.members ?= @request.auth.id",
  "@request.auth.name != '' && @request.auth.team.name != '' && @request.auth.roles:each ?= 'a' && @request.auth.secret = ''",
  '@request.auth.level > 1 && @request.auth.boss.name != ""',
  '@request.auth.collectionName = "users" && @request.auth.collectionId != "" && @request.auth.verified = true && @request.auth.emailVisibility = false',
  "@request.auth.email:lower != '' && @request.auth.id:isset = true",
  "@request.body.title:isset = false || @request.body.title:changed = false || @request.body.title:lower = 'x'",
  "@request.body.tags:length < 3 && @request.body.tags:each != '' && @request.body.author.name != '' && @request.body.editors.team.name != ''",
  "@request.body.meta.a = 1 && @request.body.views > 1",
  "@request.method = 'GET' && @request.context != 'oauth2' && @request.headers.x_token:isset = true && @request.query.q:lower != ''",
  "created > @now && updated < @todayStart && id != null && draft = true && draft != false",
  "geoDistance(place.lon, place.lat, 1, 2) < 10 && strftime('%Y', created) = '2026'",
];

describe('rules against the loaded schema', () => {
  it.each(GOOD_RULES)('accepts %s', (rule) => {
    expect(problemsOf(schemaWith({ listRule: rule, viewRule: rule, createRule: rule, updateRule: rule, deleteRule: rule }))).toEqual([]);
  });

  const BAD: Array<[string, string, string[]]> = [
    ['listRule', 'auther = @request.auth.id', ['collections/4/listRule: "auther" (at 0): collection "posts" has no field "auther"; did you mean "author"?']],
  ];
  it.each(BAD)('%s %s', (key, rule, lines) => {
    expect(problemsOf(schemaWith({ [key]: rule }))).toEqual(lines);
  });

  it('accepts every example schema and the PocketBase export fixture', () => {
    const files = [
      ...readdirSync(join(REPO, 'schema-examples')).filter((f) => f.endsWith('.json') && f !== 'galley.schema.json').map((f) => join(REPO, 'schema-examples', f)),
      join(REPO, 'server', 'test', 'fixtures', 'pocketbase-export.json'),
    ];
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) expect([file, problemsOf(JSON.parse(readFileSync(file, 'utf8')))]).toEqual([file, []]);
  });
});
