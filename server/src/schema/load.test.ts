import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchema, loadSchemaFile } from './load.ts';
import { SchemaError } from './schema-error.ts';

/** The problem lines a schema produces (empty when it loads). */
function problemsOf(input: unknown): string[] {
  try {
    loadSchema(input);
    return [];
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    return err.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  }
}

const posts = (extra: Record<string, unknown> = {}, fields: unknown[] = [{ name: 'title', type: 'text' }]) => ({ name: 'posts', fields, ...extra });

const cases: Array<[string, unknown, string[]]> = [
  ['not an array or object', 'hello', ['a schema file is an array of collections or an object with a "collections" array']],
  ['object without collections', { $schema: './x.json' }, ['collections: missing (required)']],
  ['unknown top-level key', { collections: [], colections: [] }, ['colections: "colections" is not a top-level key (only "$schema" and "collections")']],
  ['collection is not an object', [42], ['collections/0: must be a collection object, not 42']],
  ['unknown field type', [posts({}, [{ name: 'title', type: 'txt' }])], ['collections/0/fields/0/type: "txt" is not a field type; did you mean "text"?']],
  ['field without type', [posts({}, [{ name: 'title' }])], [
    'collections/0/fields/0/type: missing; every field needs a type (text, editor, number, bool, email, url, date, autodate, select, file, relation, json, geoPoint, password)',
  ]],
  ['unknown field option', [posts({}, [{ name: 'title', type: 'text', maxLength: 10 }])], [
    'collections/0/fields/0/maxLength: "maxLength" is not an option of text fields; did you mean "max"?',
  ]],
  ['option of another type', [posts({}, [{ name: 'title', type: 'text', values: ['a'] }])], [
    'collections/0/fields/0/values: "values" is not an option of text fields',
  ]],
  ['wrong option type', [posts({}, [{ name: 'n', type: 'number', min: '1', onlyInt: 'yes' }])], [
    'collections/0/fields/0/min: must be a number or null, not "1"',
    'collections/0/fields/0/onlyInt: must be true or false, not "yes"',
  ]],
  ['negative max', [posts({}, [{ name: 't', type: 'text', max: -1 }])], ['collections/0/fields/0/max: must be an integer ≥ 0, not -1']],
  ['unknown collection key', [posts({ listrule: '' })], ['collections/0/listrule: "listrule" is not a key of base collections; did you mean "listRule"?']],
  ['auth key on a base collection', [posts({ authRule: '' })], ['collections/0/authRule: "authRule" is only for auth collections']],
  ['unknown collection type', [posts({ type: 'bse' })], ['collections/0/type: "bse" is not a collection type (base, auth or view); did you mean "base"?']],
  ['missing name', [{ fields: [] }], ['collections/0/name: missing (required)']],
  ['bad names', [{ name: 'my posts', fields: [{ name: 'a-b', type: 'text' }] }], [
    'collections/0/name: must be a name of letters, digits and _, not "my posts"',
    'collections/0/fields/0/name: must be a name of letters, digits and _, not "a-b"',
  ]],
  ['duplicate collection names', [posts(), posts({ name: 'Posts' })], [
    'collections/1/name: duplicate collection name "Posts" (also collections/0; names are case-insensitive)',
  ]],
  ['duplicate field names', [posts({}, [{ name: 'title', type: 'text' }, { name: 'Title', type: 'number' }])], [
    'collections/0/fields/1/name: duplicate field name "Title" (field names are case-insensitive)',
  ]],
  ['reserved field names', [posts({}, [{ name: 'expand', type: 'text' }, { name: 'collectionId', type: 'text' }, { name: 'a_via_b', type: 'text' }])], [
    'collections/0/fields/0/name: "expand" is a reserved name',
    'collections/0/fields/1/name: "collectionId" is a reserved name',
    'collections/0/fields/2/name: must not contain "_via_" (it names back-relations in filters)',
  ]],
  ['reserved auth field name', [{ name: 'members', type: 'auth', fields: [{ name: 'passwordConfirm', type: 'text' }] }], [
    'collections/0/fields/0/name: "passwordConfirm" is reserved in auth collections',
  ]],
  ['relation to a missing collection', [posts({}, [{ name: 'author', type: 'relation', collectionId: 'people' }])], [
    'collections/0/fields/0/collectionId: "people" is not a collection of this schema',
  ]],
  ['relation without target', [posts({}, [{ name: 'author', type: 'relation' }])], [
    'collections/0/fields/0/collectionId: a relation field needs the related collection',
  ]],
  ['select without values', [posts({}, [{ name: 'status', type: 'select' }])], [
    'collections/0/fields/0/values: a select field needs at least one value',
  ]],
  ['rule that does not parse', [posts({ listRule: "title = 'a' &&", viewRule: 'title ~ )' })], [
    'collections/0/listRule: invalid rule: unexpected end of filter at 14',
    "collections/0/viewRule: invalid rule: unexpected ')' at 8",
  ]],
  ['index that does not parse', [posts({ indexes: ['CREATE INDEX nope'] })], [
    'collections/0/indexes/0: not a CREATE [UNIQUE] INDEX `name` ON `table` (`column`, …) statement',
  ]],
  ['index on a missing field', [posts({ indexes: ['CREATE INDEX idx_x ON posts (title, slug)'] })], [
    'collections/0/indexes/0: "slug" is not a field of "posts"',
  ]],
  ['index on another table', [posts({ indexes: ['CREATE INDEX idx_x ON comments (title)'] })], [
    'collections/0/indexes/0: indexes table "comments"; an index of this collection must be ON `posts`',
  ]],
  ['duplicate index names', [posts({ indexes: ['CREATE INDEX idx_x ON posts (title)'] }), { name: 'tags', fields: [{ name: 'name', type: 'text' }], indexes: ['CREATE INDEX idx_x ON tags (name)'] }], [
    'collections/1/indexes/0: index name "idx_x" is already used (collections/0/indexes/0); index names are global',
  ]],
  ['a file cannot define _superusers', [{ name: '_superusers', type: 'auth' }], [
    'collections/0/name: "_superusers" is a built-in system collection; remove it from the file (an exported system copy is accepted)',
  ]],
  ['old PocketBase format', [{ name: 'posts', type: 'base', schema: [] }], [
    'collections/0/schema: this is the PocketBase < 0.23 format; export again from PocketBase ≥ 0.23 (it writes "fields")',
  ]],
  ['view writes are null', [{ name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts', createRule: '' }], [
    'collections/0/createRule: view collections are read-only: this rule must be null',
  ]],
  ['view without query', [{ name: 'v', type: 'view' }], ['collections/0/viewQuery: missing (required)', 'collections/0/viewQuery: a view collection needs a SELECT query']],
  ['manage rule cannot be empty', [{ name: 'members', type: 'auth', manageRule: '' }], [
    'collections/0/manageRule: must be a non-empty string or null, not ""',
  ]],
  ['identity field without unique index', [{ name: 'members', type: 'auth', fields: [{ name: 'username', type: 'text' }], passwordAuth: { identityFields: ['email', 'username'] } }], [
    'collections/0/passwordAuth/identityFields: "username" needs a UNIQUE index of its own to be an identity field',
  ]],
  ['MFA needs two methods', [{ name: 'members', type: 'auth', mfa: { enabled: true } }], [
    'collections/0/mfa/enabled: MFA requires at least 2 auth methods to be enabled (only passwordAuth is): set oauth2.enabled or otp.enabled to true, or mfa.enabled to false',
  ]],
  ['nested auth option typo', [{ name: 'members', type: 'auth', authToken: { duraton: 60 } }], [
    'collections/0/authToken/duraton: "duraton" is not a known key; did you mean "duration"?',
    'collections/0/authToken/duration: missing (required)',
  ]],
  ['token duration out of range', [{ name: 'members', type: 'auth', authToken: { duration: 5 } }], [
    'collections/0/authToken/duration: must be an integer from 10 to 94670856, not 5',
  ]],
  ['option checks of field types', [posts({}, [{ name: 't', type: 'text', min: 10, max: 5 }, { name: 'd', type: 'autodate' }, { name: 'id2', type: 'text', primaryKey: true }])], [
    'collections/0/fields/0/max: must be greater than or equal to min (10)',
    'collections/0/fields/1/onCreate: either onCreate or onUpdate must be true',
    'collections/0/fields/2/primaryKey: only the field named "id" can be the primary key',
  ]],
  ['id field of the wrong type', [posts({}, [{ name: 'id', type: 'number' }])], ['collections/0/fields/0/type: the "id" field must be a text field (the primary key)']],
];

describe('loadSchema problems', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });

  it('reports every problem of a file at once, in file order, with a header', () => {
    const input = {
      collections: [
        posts({ listRule: 'title =' }, [{ name: 'title', type: 'txt' }, { name: 'n', type: 'number', max: 'x' }]),
        { name: 'tags', type: 'bse', fields: [{ name: 'post', type: 'relation', collectionId: 'nope' }] },
      ],
    };
    let error: unknown;
    try {
      loadSchema(input, 'blog.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SchemaError);
    const e = error as SchemaError;
    expect(e.kind).toBe('invalid');
    expect(e.message.split('\n')).toEqual([
      'blog.json: 5 problems (paths are JSON pointers; collections/N is the N-th collection, counted from 0, whether the file is an array or has a "collections" key):',
      'collections/0/listRule: invalid rule: unexpected end of filter at 7 (collection "posts")',
      'collections/0/fields/0/type: "txt" is not a field type; did you mean "text"? (collection "posts", field "title")',
      'collections/0/fields/1/max: must be a number or null, not "x" (collection "posts", field "n")',
      'collections/1/type: "bse" is not a collection type (base, auth or view); did you mean "base"? (collection "tags")',
      'collections/1/fields/0/collectionId: "nope" is not a collection of this schema (collection "tags", field "post")',
    ]);
  });

  it('uses the same collections/N paths for an array file', () => {
    expect(problemsOf([posts({}, [{ name: 'x', type: 'txt' }])])[0]).toMatch(/^collections\/0\/fields\/0\/type:/);
  });
});

describe('loadSchemaFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'galley-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const messageOf = (path: string) => {
    try {
      loadSchemaFile(path);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('names line and column of invalid JSON', () => {
    const path = write('bad.json', '{\n  "collections": [\n    { "name": "posts", }\n  ]\n}\n');
    expect(messageOf(path).split('\n')[1]).toBe('invalid JSON at line 3, column 24: expected a property name (no trailing commas in JSON), found "}"');
  });
  it.each([
    ['unterminated string', '{"a": "x', 'invalid JSON at line 1, column 9: expected a closing quote, found end of file'],
    ['missing comma', '[{"name": "a"} {"name": "b"}]', "invalid JSON at line 1, column 16: expected ',' or ']', found \"{\""],
    ['empty file', '', 'invalid JSON at line 1, column 1: expected a value, found end of file'],
  ])('%s', (_n, text, line) => {
    expect(messageOf(write('x.json', text)).split('\n')[1]).toBe(line);
  });
  it('reports a missing file as a schema problem', () => {
    expect(messageOf(join(dir, 'missing.json'))).toMatch(/cannot read the schema file/);
  });
  it('loads a file with a BOM', () => {
    const path = write('bom.json', '\ufeff{"collections": []}');
    expect(loadSchemaFile(path).findCollection('_superusers')).toBeDefined();
  });
});
