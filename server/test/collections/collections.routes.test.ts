// Collections API scenario tables: who may read and write collections, PocketBase's list parameters and
// error shapes, and the write-back to the schema file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../src/index.ts';
import { runScenario, signUp, type Scenario } from '../helpers/test-galley.ts';
import { startFileGalley, type FileGalley } from './harness.ts';

const SCHEMA = {
  $schema: './galley.schema.json',
  collections: [
    { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: null, deleteRule: null, fields: [{ name: 'nick', type: 'text' }] },
    { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: null, deleteRule: null, fields: [{ name: 'title', type: 'text', required: true }] },
  ],
};

const runTable = (g: FileGalley, tokens: Record<string, string | null>, s: Scenario) => runScenario(g, s, tokens);

describe('a server without collection writes', () => {
  let g: FileGalley;
  const tokens: Record<string, string | null> = { guest: null };
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA);
    tokens['root'] = g.root;
    tokens['user'] = (await signUp(g, 'users', { email: 'u@example.com' })).token;
    await g.call('POST', '/api/collections/posts/records', { body: { title: 'one' } });
    await g.call('POST', '/api/collections/posts/records', { body: { title: 'two' } });
  });
  afterAll(() => g?.close());

  const readOnly = (): string => `the schema file ${g.file} is the source of truth`;
  const table: Scenario[] = [
    { name: 'a guest may not list collections', method: 'GET', path: '/api/collections', status: 401, contains: ['requires valid record authorization token'] },
    { name: 'a user may not list collections', method: 'GET', path: '/api/collections', as: 'user', status: 403 },
    { name: 'a guest may not view a collection', method: 'GET', path: '/api/collections/posts', status: 401 },
    { name: 'a guest may not read the scaffolds', method: 'GET', path: '/api/collections/meta/scaffolds', status: 401 },
    { name: 'a guest may not create', method: 'POST', path: '/api/collections', body: { name: 'x' }, status: 401 },
    { name: 'a user may not create', method: 'POST', path: '/api/collections', body: { name: 'x' }, as: 'user', status: 403 },
    { name: 'a user may not import', method: 'PUT', path: '/api/collections/import', body: { collections: [{ name: 'x' }] }, as: 'user', status: 403 },
    { name: 'a user may not truncate', method: 'DELETE', path: '/api/collections/posts/truncate', as: 'user', status: 403 },
    {
      name: 'a superuser lists every collection, built-ins included',
      method: 'GET', path: '/api/collections', as: 'root', status: 200,
      check: (j) => {
        expect(j.items.map((c: any) => c.name)).toEqual(expect.arrayContaining(['_superusers', 'users', 'posts']));
        expect(j).toMatchObject({ page: 1, perPage: 30, totalItems: j.items.length, totalPages: 1 });
      },
    },
    {
      name: 'filter and sort use PocketBase’s collection fields',
      method: 'GET', path: '/api/collections?filter=' + encodeURIComponent('system = false && name ~ "s"') + '&sort=-name', as: 'root', status: 200,
      check: (j) => expect(j.items.map((c: any) => c.name)).toEqual(['users', 'posts']),
    },
    { name: 'filter by type', method: 'GET', path: '/api/collections?filter=' + encodeURIComponent('type = "auth" && system = false'), as: 'root', status: 200, check: (j) => expect(j.items.map((c: any) => c.name)).toEqual(['users']) },
    { name: 'paging and skipTotal', method: 'GET', path: '/api/collections?perPage=1&page=2&skipTotal=1&sort=name&filter=system%3Dfalse', as: 'root', status: 200, check: (j) => expect(j).toMatchObject({ page: 2, perPage: 1, totalItems: -1, totalPages: -1, items: [{ name: 'users' }] }) },
    { name: 'a filter on an unknown field is a 400', method: 'GET', path: '/api/collections?filter=' + encodeURIComponent('listRule = ""'), as: 'root', status: 400 },
    { name: 'a filter that does not parse is a 400', method: 'GET', path: '/api/collections?filter=' + encodeURIComponent('name = ('), as: 'root', status: 400 },
    { name: 'an unknown sort field is a 400', method: 'GET', path: '/api/collections?sort=nope', as: 'root', status: 400 },
    { name: 'view by name, case-insensitive', method: 'GET', path: '/api/collections/POSTS', as: 'root', status: 200, check: (j) => expect(j).toMatchObject({ name: 'posts', type: 'base' }) },
    { name: 'an unknown collection is a 404', method: 'GET', path: '/api/collections/nope', as: 'root', status: 404, contains: ['"data":{}'] },
    {
      name: 'scaffolds for auth, base and view',
      method: 'GET', path: '/api/collections/meta/scaffolds', as: 'root', status: 200,
      check: (j) => {
        expect(Object.keys(j)).toEqual(['auth', 'base', 'view']);
        expect(j.base).toMatchObject({ id: '', name: '', type: 'base', fields: [{ name: 'id', primaryKey: true }] });
        expect(j.auth.fields.map((f: any) => f.name)).toEqual(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']);
        expect(j.auth.indexes).toHaveLength(2);
        expect(j.view).toMatchObject({ type: 'view', fields: [], viewQuery: '' });
      },
    },
  ];
  it.each(table)('$name', async (s) => {
    await runTable(g, tokens, s);
  });

  it.each([
    ['POST', '/api/collections', { name: 'x' }],
    ['PATCH', '/api/collections/posts', { listRule: null }],
    ['DELETE', '/api/collections/posts', undefined],
    ['PUT', '/api/collections/import', { collections: [{ name: 'x' }] }],
  ])('%s %s is refused for a superuser, naming the file and the command', async (method, path, body) => {
    const res = await g.call(method, path, { body, auth: g.root });
    expect(res.status).toBe(403);
    expect(res.json.message).toContain(readOnly());
    expect(res.json.message).toContain(`galley migrate apply --schema ${g.file}`);
    expect(res.json.message).toContain('--allow-collection-writes');
  });

  it('truncate needs no write mode: it removes records, not schema', async () => {
    const res = await g.call('DELETE', '/api/collections/posts/truncate', { auth: g.root });
    expect(res.status, res.text).toBe(204);
    expect((await g.call('GET', '/api/collections/posts/records')).json.totalItems).toBe(0);
  });
});

describe('a server with --allow-collection-writes', () => {
  let g: FileGalley;
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA, { allowCollectionWrites: true });
  });
  afterAll(() => g?.close());

  it('creates a collection as PocketBase does, writes it to the file and serves records at once', async () => {
    const res = await g.call('POST', '/api/collections', {
      auth: g.root,
      body: { name: 'notes', type: 'base', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text', max: 100 }], created: 'ignored' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ name: 'notes', type: 'base', listRule: '', viewRule: null, system: false });
    expect(res.json.id).toMatch(/^pbc_\d+$/);
    expect(res.json.fields.map((f: any) => f.name)).toEqual(['id', 'text']); // wire: no implicit created/updated
    const written = (g.readSchema() as any).collections.at(-1);
    expect(written).toEqual({
      name: 'notes', type: 'base', listRule: '', viewRule: null, createRule: '', updateRule: null, deleteRule: null,
      fields: [
        { name: 'id', type: 'text', autogeneratePattern: '[a-z0-9]{15}', max: 15, min: 15, pattern: '^[a-z0-9]+$', primaryKey: true, required: true, system: true },
        { name: 'text', type: 'text', max: 100 },
      ],
    });
    expect((g.readSchema() as any).$schema).toBe('./galley.schema.json');
    const created = await g.call('POST', '/api/collections/notes/records', { body: { text: 'hello' } });
    expect(created.status, created.text).toBe(200);
  });

  it('the untouched collections keep their text', async () => {
    const text = g.readText();
    expect(text).toContain(JSON.stringify(SCHEMA.collections[0], null, 2).split('\n').join('\n    '));
  });

  it('updates merge the body over the collection (rules, a new field) and keep the data', async () => {
    const before = (await g.call('GET', '/api/collections/notes', { auth: g.root })).json;
    const res = await g.call('PATCH', '/api/collections/notes', {
      auth: g.root,
      body: { viewRule: '', fields: [...before.fields, { name: 'done', type: 'bool' }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.viewRule).toBe('');
    expect(res.json.fields.map((f: any) => f.name)).toEqual(['id', 'text', 'done']);
    const list = await g.call('GET', '/api/collections/notes/records');
    expect(list.json.items).toMatchObject([{ text: 'hello', done: false }]);
    expect(loadSchemaFile(g.file).findCollection('notes')?.fields.map((f) => f.name)).toEqual(['id', 'text', 'done']);
  });

  it('renames keep the id, so the table is renamed with its rows', async () => {
    const res = await g.call('PATCH', '/api/collections/notes', { auth: g.root, body: { name: 'memos' } });
    expect(res.status, res.text).toBe(200);
    expect((g.readSchema() as any).collections.at(-1)).toMatchObject({ id: res.json.id, name: 'memos' });
    expect((await g.call('GET', '/api/collections/memos/records')).json.totalItems).toBe(1);
    expect((await g.call('GET', '/api/collections/notes/records')).status).toBe(404);
  });

  const errors: Scenario[] = [
    {
      name: 'a taken name is data.name validation_collection_name_exists',
      method: 'POST', path: '/api/collections', as: 'root', body: { name: 'Posts', type: 'base' }, status: 400,
      check: (j) => expect(j).toMatchObject({ status: 400, message: 'Failed to create collection.', data: { name: { code: 'validation_collection_name_exists' } } }),
    },
    {
      name: 'a missing name is data.name validation_required',
      method: 'POST', path: '/api/collections', as: 'root', body: { type: 'base' }, status: 400,
      check: (j) => expect(j.data.name.code).toBe('validation_required'),
    },
    {
      name: 'a bad field type is reported at its path (after the id field PocketBase puts first)',
      method: 'POST', path: '/api/collections', as: 'root', body: { name: 'bad', fields: [{ name: 'x', type: 'txt' }] }, status: 400,
      check: (j) => {
        expect(j.data.fields['1'].type.code).toBe('validation_invalid_value');
        expect(j.data.fields['1'].type.message).toContain('did you mean "text"');
      },
    },
    {
      name: 'a bad rule is data.listRule validation_invalid_rule (PocketBase\'s code)',
      method: 'POST', path: '/api/collections', as: 'root', body: { name: 'bad', listRule: 'nope = (' }, status: 400,
      check: (j) => expect(j.data.listRule.code).toBe('validation_invalid_rule'),
    },
    {
      name: 'a type change is refused as PocketBase does',
      method: 'PATCH', path: '/api/collections/posts', as: 'root', body: { type: 'auth' }, status: 400,
      check: (j) => expect(j.data.type.code).toBe('validation_collection_type_change'),
    },
    {
      name: 'a system collection keeps its name',
      method: 'PATCH', path: '/api/collections/_superusers', as: 'root', body: { name: 'admins' }, status: 400,
      check: (j) => expect(j.data.name.code).toBe('validation_collection_system_name_change'),
    },
    {
      // wire: PocketBase answers on the list itself (checkIdentityFields), not at the entry
      name: 'an identity field that is not a field is passwordAuth.identityFields validation_missing_field',
      method: 'PATCH', path: '/api/collections/users', as: 'root', body: { passwordAuth: { enabled: true, identityFields: ['email', 'missing'] } }, status: 400,
      check: (j) => expect(j.data.passwordAuth.identityFields).toMatchObject({ code: 'validation_missing_field', message: '"missing" is not a field of this collection' }),
    },
    { name: 'a system collection cannot be deleted', method: 'DELETE', path: '/api/collections/_superusers', as: 'root', status: 400 },
    { name: 'updating an unknown collection is a 404', method: 'PATCH', path: '/api/collections/nope', as: 'root', body: {}, status: 404 },
    { name: 'a body that is not an object is a 400', method: 'POST', path: '/api/collections', as: 'root', body: '[1]', status: 400 },
    {
      name: 'an empty import is data.collections validation_required',
      method: 'PUT', path: '/api/collections/import', as: 'root', body: { collections: [] }, status: 400,
      check: (j) => expect(j.data.collections.code).toBe('validation_required'),
    },
    {
      name: 'an import that does not load is data.collections validation_collections_import_failure',
      method: 'PUT', path: '/api/collections/import', as: 'root', body: { collections: [{ name: 'z', type: 'base', fields: [{ name: 'a', type: 'nope' }] }] }, status: 400,
      check: (j) => {
        expect(j.data.collections.code).toBe('validation_collections_import_failure');
        // wire: PocketBase's message names the collection that failed
        expect(j.data.collections.message).toMatch(/collections\/\d+\/fields\/0\/type: "nope" is not a field type \(collection "z", field "a"\)/);
      },
    },
  ];
  it.each(errors)('$name', async (s) => {
    const before = g.readText();
    await runTable(g, { root: g.root }, s);
    expect(g.readText(), 'a refused write leaves the file as it was').toBe(before);
  });

  it('deleting a referenced collection is refused naming the referrer', async () => {
    await g.call('POST', '/api/collections', { auth: g.root, body: { name: 'links', fields: [{ name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1 }] } });
    const res = await g.call('DELETE', '/api/collections/posts', { auth: g.root });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('existing reference in links');
    // the relation names its target by name in the file: its id is the derived one
    expect((g.readSchema() as any).collections.at(-1).fields[1]).toEqual({ name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1 });
  });

  it('delete removes the collection from the file and the database (the request is the consent to lose data)', async () => {
    expect((await g.call('DELETE', '/api/collections/links', { auth: g.root })).status).toBe(204);
    expect((await g.call('DELETE', '/api/collections/memos', { auth: g.root })).status).toBe(204);
    expect((g.readSchema() as any).collections.map((c: any) => c.name)).toEqual(['users', 'posts']);
    expect((await g.call('GET', '/api/collections/memos/records')).status).toBe(404);
    expect(g.readText()).toBe(JSON.stringify(SCHEMA, null, 2) + '\n');
  });
});
