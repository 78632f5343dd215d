// Fields inferred from a view query (PocketBase's rules), merged with declared fields, and what cannot be read.
import { describe, expect, it } from 'vitest';
import { loadSchema } from './load.ts';
import { findViewColumnSource } from './view-fields.ts';
import type { CollectionModel } from './model.ts';
import type { SchemaError } from './schema-error.ts';

const BASE = [
  { name: 'users', type: 'auth', fields: [{ name: 'name', type: 'text' }] },
  {
    name: 'posts',
    fields: [
      { name: 'title', type: 'text', max: 80 },
      { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
      { name: 'cover', type: 'file', maxSelect: 1 },
      { name: 'views', type: 'number' },
    ],
  },
];

function loadView(viewQuery: string, extra: Record<string, unknown> = {}): CollectionModel {
  return loadSchema([...BASE, { name: 'v', type: 'view', viewQuery, ...extra }]).findCollection('v')!;
}

function problemsOf(collections: unknown[]): string[] {
  try {
    loadSchema([...BASE, ...collections]);
  } catch (err) {
    // the problems themselves: the message adds each one's collection and field names
    return (err as SchemaError).problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  }
  return [];
}

const typesOf = (c: CollectionModel) => c.fields.map((f) => `${f.name}:${f.type}`);

describe('inferViewFields through the loader', () => {
  const CASES: Array<[query: string, fields: string[]]> = [
    ['SELECT id, title FROM posts', ['id:text', 'title:text']],
    ['SELECT p.id, p.title AS headline, p.author, p.cover FROM posts p', ['id:text', 'headline:text', 'author:relation', 'cover:file']],
    ['SELECT p.id, count(p.id) AS n, total(p.views) AS t, sum(p.views) AS s FROM posts p GROUP BY p.id', ['id:text', 'n:number', 't:number', 's:json']],
    ["SELECT id, CAST(views AS TEXT) AS a, CAST(title AS INTEGER) AS b, cast(1 as bool) c, CAST(x AS BLOB) AS d FROM posts", ['id:text', 'a:text', 'b:number', 'c:bool', 'd:json']],
    ['SELECT p.id, u.id AS writer, u.name FROM posts p LEFT JOIN users AS u ON u.id = p.author', ['id:text', 'writer:relation', 'name:text']],
    ['SELECT (ROW_NUMBER() OVER()) AS id, p.views + 1 AS more, "p"."title" FROM posts AS p', ['id:text', 'more:json', 'title:text']],
    ["WITH x AS (SELECT id, title FROM posts) SELECT x.id, x.title, 'a,b' AS lit FROM x -- a (comment, FROM y)", ['id:text', 'title:json', 'lit:json']],
    ['SELECT DISTINCT id, title t FROM posts WHERE title IS NOT NULL', ['id:text', 't:text']],
    ['SELECT id, views FROM posts UNION ALL SELECT id, 0 FROM users', ['id:text', 'views:number']],
  ];
  it.each(CASES)('%s', (query, fields) => {
    expect(typesOf(loadView(query))).toEqual(fields);
  });

  it('a referenced field keeps its options under the column name, with its own id; an id reference relates to that collection', () => {
    const schema = loadSchema([...BASE, { name: 'v', type: 'view', viewQuery: 'SELECT p.id, p.title AS headline, p.author, u.id AS writer FROM posts p JOIN users u ON u.id = p.author' }]);
    const [v, usersId] = [schema.findCollection('v')!, schema.findCollection('users')!.id];
    const writer = v.fields.find((f) => f.name === 'writer')!;
    expect(v.fields[0]).toMatchObject({ id: 'text3208210256', name: 'id', system: true, required: true, primaryKey: true, pattern: '^[a-z0-9]+$' });
    expect(v.fields[1]).toMatchObject({ name: 'headline', type: 'text', max: 80 });
    expect(v.fields[1]!.id).toMatch(/^_clone_\w{4}$/);
    expect(v.fields[2]).toMatchObject({ name: 'author', type: 'relation', required: true, maxSelect: 1, collectionId: usersId });
    expect(writer).toMatchObject({ type: 'relation', maxSelect: 1, collectionId: usersId, required: false });
    expect(loadView('SELECT p.id, p.title AS headline FROM posts p').fields[1]!.id).toBe(v.fields[1]!.id); // stable
  });

  it('a view over a view keeps the inner view’s fields, and relates to it through its id', () => {
    const schema = loadSchema([
      ...BASE,
      { name: 'inner_v', type: 'view', viewQuery: 'SELECT id, author, count(id) AS n FROM posts GROUP BY author' },
      { name: 'outer_v', type: 'view', viewQuery: 'SELECT i.id, i.id AS ref, i.n, i.author FROM inner_v i' },
    ]);
    const outer = schema.findCollection('outer_v')!;
    expect(typesOf(outer)).toEqual(['id:text', 'ref:relation', 'n:number', 'author:relation']);
    expect(outer.fields[1]!['collectionId']).toBe(schema.findCollection('inner_v')!.id);
  });

  it('declared fields: same type kept as declared; an expression may be declared any type', () => {
    const v = loadView('SELECT id, sum(views) AS s, title FROM posts GROUP BY id', {
      fields: [
        { id: 'my_s', name: 's', type: 'number', onlyInt: true },
        { id: 'my_title', name: 'title', type: 'text', presentable: true },
      ],
    });
    expect(v.fields.map((f) => [f.id, f.name, f.type])).toEqual([['text3208210256', 'id', 'text'], ['my_s', 's', 'number'], ['my_title', 'title', 'text']]);
    expect(v.fields[1]).toMatchObject({ onlyInt: true });
  });

  const PROBLEMS: Array<[name: string, view: Record<string, unknown>, problems: string[]]> = [
    ['no id column', { viewQuery: 'SELECT title FROM posts' }, ['collections/2/viewQuery: missing the required "id" column (e.g. `SELECT p.id, …` or `(ROW_NUMBER() OVER()) AS id`)']],
    ['not a SELECT', { viewQuery: 'DELETE FROM posts' }, ['collections/2/viewQuery: a view query must be a SELECT statement, not DELETE at character 1']],
    ['two statements', { viewQuery: 'SELECT id FROM posts; DROP TABLE posts;' }, ['collections/2/viewQuery: multiple statements are not supported (a ";" ends the first one here) at character 21']],
    ['a wildcard', { viewQuery: 'SELECT p.* FROM posts p' }, ['collections/2/viewQuery: a "*" column is not supported: list the columns (so a view never exposes a field by accident) at character 8']],
    ['an expression without a name', { viewQuery: 'SELECT id,\n  count(*) FROM posts' }, ['collections/2/viewQuery: the column "count(*)" needs a field name: add AS name (letters, digits, _) at line 2, column 3']],
    ['a table of Galley’s own', { viewQuery: 'SELECT id, value FROM posts JOIN _galley_params ON 1' }, ['collections/2/viewQuery: "_galley_params" is not a collection: a view reads collections only']],
    ['a declared field the query lacks', { viewQuery: 'SELECT id FROM posts', fields: [{ name: 'gone', type: 'text' }] }, ['collections/2/fields/0/name: "gone" is not a column of the viewQuery (its columns: id)']],
    ['a declared type the query contradicts', { viewQuery: 'SELECT id, count(id) AS n FROM posts', fields: [{ name: 'n', type: 'text' }] }, [
      'collections/2/fields/0/type: the viewQuery makes "n" a number field (from count(…)); declare it as number or leave it out',
    ]],
    ['a declared relation to another collection', { viewQuery: 'SELECT id, author FROM posts', fields: [{ name: 'author', type: 'relation', collectionId: 'posts', maxSelect: 1 }] }, [
      'collections/2/fields/0/collectionId: the viewQuery makes "author" a relation to "users" (from posts.author)',
    ]],
  ];
  it.each(PROBLEMS)('refuses %s', (_name, view, problems) => {
    expect(problemsOf([{ name: 'v', type: 'view', ...view }])).toEqual(problems);
  });

  it('refuses views that read each other, and a base collection relating to a view (PocketBase’s rule)', () => {
    expect(problemsOf([
      { name: 'a', type: 'view', viewQuery: 'SELECT id FROM b' },
      { name: 'b', type: 'view', viewQuery: 'SELECT id FROM a' },
    ])).toEqual(['collections/2/viewQuery: views read each other in a circle: a → b → a']);
    expect(problemsOf([
      { name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts' },
      { name: 'notes', fields: [{ name: 'v', type: 'relation', collectionId: 'v', maxSelect: 1 }] },
    ])).toEqual(['collections/3/fields/0/collectionId: only view collections can relate to a view collection']);
  });
});

describe('findViewColumnSource', () => {
  const schema = loadSchema([...BASE, { name: 'v', type: 'view', viewQuery: 'SELECT p.id, p.cover AS picture, u.name, count(p.id) AS n, u.id AS writer FROM posts p JOIN users u ON u.id = p.author' }]);
  const find = (name: string) => schema.findCollection(name);
  const query = schema.findCollection('v')!.viewQuery!;
  it('names the collection and field a column copies', () => {
    const src = findViewColumnSource(query, find, 'picture');
    expect([src?.collection.name, src?.field.name]).toEqual(['posts', 'cover']);
    expect(findViewColumnSource(query, find, 'name')?.collection.name).toBe('users');
  });
  it('gives nothing for an expression, an id turned relation or an unknown column', () => {
    expect(findViewColumnSource(query, find, 'n')).toBeUndefined();
    expect(findViewColumnSource(query, find, 'writer')).toBeUndefined();
    expect(findViewColumnSource(query, find, 'nope')).toBeUndefined();
  });
});
