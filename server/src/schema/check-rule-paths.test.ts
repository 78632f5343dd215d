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

  const P = (key: string, msg: string) => `collections/4/${key}: ${msg}`;
  const BAD: Array<[string, string, string[]]> = [
    ['listRule', 'auther = @request.auth.id', [P('listRule', '"auther" (at 0): collection "posts" has no field "auther"; did you mean "author"?')]],
    ['viewRule', "author.nmae = 'x'", [P('viewRule', '"author.nmae" (at 0): collection "users" has no field "nmae"; did you mean "name"?')]],
    ['viewRule', 'title.x = 1', [P('viewRule', '"title.x" (at 0): the field "title" of "posts" is not a relation (text), so nothing follows it')]],
    ['listRule', 'comments_via_pots.body = 1', [P('listRule', '"comments_via_pots.body" (at 0): "comments_via_pots": collection "comments" has no field "pots"; did you mean "post"?')]],
    ['listRule', 'comment_via_post.body = 1', [P('listRule', '"comment_via_post.body" (at 0): "comment_via_post": no collection "comment"; did you mean "comments"?')]],
    ['listRule', 'comments_via_body.x = 1', [P('listRule', '"comments_via_body.x" (at 0): "comments_via_body": the field "body" of "comments" is not a relation')]],
    ['listRule', 'teams_via_members.name = 1', [P('listRule', '"teams_via_members.name" (at 0): "teams_via_members": the field "members" of "teams" does not point at "posts"')]],
    ['listRule', 'comments_via_post = 1', [P('listRule', '"comments_via_post" (at 0): a back-relation names records, so a field must follow it (comments_via_post.<field>)')]],
    ['listRule', 'coments_via_post.body = 1', [P('listRule', '"coments_via_post.body" (at 0): "coments_via_post": no collection "coments"; did you mean "comments"?')]],
    ['listRule', 'author.team.members.team.members.team.members.name = 1', [P('listRule', '"author.team.members.team.members.team.members.name" (at 0): too many relation levels at "members" (at most 6)')]],
    ['listRule', '@collection.nope.x = 1', [P('listRule', '"@collection.nope.x" (at 0): no collection "nope"')]],
    ['listRule', '@collection.tag:t.label = 1', [P('listRule', '"@collection.tag:t.label" (at 0): no collection "tag"; did you mean "tags"?')]],
    ['listRule', '@collection.tags.lable = 1', [P('listRule', '"@collection.tags.lable" (at 0): collection "tags" has no field "lable"; did you mean "label"?')]],
    ['listRule', '@collection.tags = 1', [P('listRule', '"@collection.tags" (at 0): write @collection.<name>.<field> (or @collection.<name>:<alias>.<field>)')]],
    ['listRule', "@request.auth.nmae = 'x'", [P('listRule', '"@request.auth.nmae" (at 0): no auth collection has a field "nmae"; did you mean "name"?')]],
    ['listRule', '@request.auth.team.nmae = 1', [P('listRule', '"@request.auth.team.nmae" (at 0): collection "teams" has no field "nmae"; did you mean "name"?')]],
    ['listRule', '@request.auth.level.x = 1', [P('listRule', '"@request.auth.level.x" (at 0): the field "level" of "admins" is not a relation (number), so nothing follows it')]],
    ['listRule', '@request.auth.name:isset = true', [P('listRule', '"@request.auth.name:isset" (at 0): ":isset" only applies to @request.* values, not to the field "name" of "users"')]],
    ['listRule', '@request.auth.id:each = 1', [P('listRule', '"@request.auth.id:each" (at 0): ":each" does not apply to this request value (only :isset and :lower do)')]],
    ['listRule', '@request.foo = 1', [P('listRule', '"@request.foo" (at 0): not a request value a rule can read (@request.auth.*, @request.body.*, @request.query.*, @request.headers.*, @request.method, @request.context)')]],
    ['createRule', "@request.body.titel = 'x'", [P('createRule', '"@request.body.titel" (at 0): collection "posts" has no field "titel", so @request.body.titel is never set; did you mean "title"?')]],
    ['createRule', '@request.body.title:each = 1', [P('createRule', '"@request.body.title:each" (at 0): ":each" only applies to select, file and relation fields, not to the field "title" of "posts" (text)')]],
    // wire: PocketBase refuses :length on a body field that is not a MultiValuer when the collection is saved
    ['createRule', '@request.body.title:length > 1', [P('createRule', '"@request.body.title:length" (at 0): ":length" only applies to select, file and relation fields, not to the field "title" of "posts" (text)')]],
    ['createRule', '@request.body.author.name:length > 1', [P('createRule', '"@request.body.author.name:length" (at 0): ":length" only applies to select, file and relation fields, not to the field "name" of "users" (text)')]],
    ['createRule', '@request.body.author:each.name = 1', [P('createRule', '"@request.body.author:each.name" (at 0): a modifier may only end a path ("author:each")')]],
    ['createRule', '@request.body.author.nmae = 1', [P('createRule', '"@request.body.author.nmae" (at 0): collection "users" has no field "nmae"; did you mean "name"?')]],
    ['createRule', '@request.body.title.x = 1', [P('createRule', '"@request.body.title.x" (at 0): the field "title" of "posts" is not a relation (text), so nothing follows it')]],
    ['createRule', '@request.query.x:each = 1', [P('createRule', '"@request.query.x:each" (at 0): ":each" does not apply to this request value (only :isset and :lower do)')]],
    ['updateRule', 'title:isset = true', [P('updateRule', '"title:isset" (at 0): ":isset" only applies to @request.* values, not to the field "title" of "posts"')]],
    ['updateRule', 'title:changed = true', [P('updateRule', '"title:changed" (at 0): ":changed" only applies to @request.body.<field>, not to the field "title" of "posts"')]],
    ['updateRule', "title:each = 'x'", [P('updateRule', '"title:each" (at 0): ":each" only applies to select, file and relation fields, not to the field "title" of "posts" (text)')]],
    ['updateRule', 'views:length > 1', [P('updateRule', '"views:length" (at 0): ":length" only applies to select, file and relation fields, not to the field "views" of "posts" (number)')]],
    ['updateRule', 'title:foo = 1', [P('updateRule', '"title:foo" (at 0): unknown modifier ":foo" (known: :isset :changed :each :length :lower)')]],
    ['deleteRule', 'geoDistance(place.lon) > 1', [P('deleteRule', 'invalid rule: geoDistance(): expected 4 arguments, got 1 at 0')]],
    // every name of a rule is reported, each with its position
    ['deleteRule', "titel = '' || @request.auth.nmae = 1 || autor.name = 1", [
      P('deleteRule', '"titel" (at 0): collection "posts" has no field "titel"; did you mean "title"?'),
      P('deleteRule', '"@request.auth.nmae" (at 14): no auth collection has a field "nmae"; did you mean "name"?'),
      P('deleteRule', '"autor.name" (at 40): collection "posts" has no field "autor"; did you mean "author"?'),
    ]],
  ];
  it.each(BAD)('%s %s', (key, rule, lines) => {
    expect(problemsOf(schemaWith({ [key]: rule }))).toEqual(lines);
  });

  it('reports every rule of every collection in one run, auth rules included', () => {
    const input = schemaWith({ listRule: 'auther = 1' }, { authRule: 'verfied = true', manageRule: '@request.auth.levl > 1', mfa: { enabled: false, rule: 'nmae = 1' } });
    (input[5] as Record<string, unknown>)['viewRule'] = "post.titel != ''";
    expect(problemsOf(input)).toEqual([
      'collections/0/authRule: "verfied" (at 0): collection "users" has no field "verfied"; did you mean "verified"?',
      'collections/0/manageRule: "@request.auth.levl" (at 0): no auth collection has a field "levl"; did you mean "level"?',
      'collections/0/mfa/rule: "nmae" (at 0): collection "users" has no field "nmae"; did you mean "name"?',
      'collections/4/listRule: "auther" (at 0): collection "posts" has no field "auther"; did you mean "author"?',
      'collections/5/viewRule: "post.titel" (at 0): collection "posts" has no field "titel"; did you mean "title"?',
    ]);
  });

  it('adds no follow-on problem for a field of unknown type, a relation to a missing collection or an unreadable view', () => {
    const lines = (input: unknown) => problemsOf(input).map((l) => l.replace(/ \(collection "[^)]*\)$/, ''));
    expect(lines([{ name: 'posts', listRule: "title != '' && @request.body.title = 1", fields: [{ name: 'title', type: 'txt' }] }])).toEqual([
      'collections/0/fields/0/type: "txt" is not a field type; did you mean "text"?',
    ]);
    expect(lines([{ name: 'posts', listRule: "owner.name != ''", fields: [{ name: 'owner', type: 'relation', collectionId: 'nope' }] }])).toEqual([
      'collections/0/fields/0/collectionId: "nope" is not a collection of this schema',
    ]);
    const view = [{ name: 'v', type: 'view', viewQuery: 'SELECT id, nope FROM nothing', listRule: 'x = 1' }, { name: 'p', listRule: '@collection.v.y = 1', fields: [] }];
    expect(lines(view)).toEqual(['collections/0/viewQuery: near "nothing": syntax error at character 22']);
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
