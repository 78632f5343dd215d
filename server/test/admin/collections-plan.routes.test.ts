// Galley's dashboard routes for collections: /api/galley/collections/meta (may collections be written here, the
// field types' options) and /api/galley/collections/plan (a change checked and planned, nothing applied).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { signUp } from '../helpers/test-galley.ts';
import { startFileGalley, type FileGalley } from '../collections/harness.ts';

const SCHEMA = {
  collections: [
    { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'nick', type: 'text' }] },
    { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }] },
  ],
};

describe('a --dev server', () => {
  let g: FileGalley;
  let before = '';
  const tokens: Record<string, string | null> = { guest: null };
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA, { dev: true });
    tokens['root'] = g.root;
    tokens['user'] = (await signUp(g, 'users', { email: 'u@example.com' })).token;
    await g.call('POST', '/api/collections/posts/records', { body: { title: 'one', views: 3 } });
    before = g.readText();
  });
  afterAll(() => g?.close());

  const plan = (body: unknown) => ({ method: 'POST', path: '/api/galley/collections/plan', body, as: 'root' });
  const table: Scenario[] = [
    { name: 'a guest may not read the meta', method: 'GET', path: '/api/galley/collections/meta', as: 'guest', status: 401 },
    { name: 'a user may not read the meta', method: 'GET', path: '/api/galley/collections/meta', as: 'user', status: 403 },
    { name: 'a user may not plan', ...plan({ action: 'create', collection: { name: 'x' } }), as: 'user', status: 403 },
    {
      name: 'the meta says writes are on and lists every field type with its options',
      method: 'GET', path: '/api/galley/collections/meta', as: 'root', status: 200,
      check: (j) => {
        expect(j).toMatchObject({ writable: true, message: '', schemaFile: g.file });
        expect(Object.keys(j.fieldTypes)).toEqual(expect.arrayContaining(['text', 'number', 'bool', 'email', 'url', 'editor', 'date', 'autodate', 'select', 'file', 'relation', 'json', 'geoPoint', 'password']));
        expect(Object.keys(j.fieldTypes.file.properties)).toEqual(expect.arrayContaining(['maxSelect', 'maxSize', 'mimeTypes', 'thumbs', 'protected']));
        expect(Object.keys(j.collectionTypes.auth.properties)).toEqual(expect.arrayContaining(['manageRule', 'authRule', 'otp', 'mfa', 'oauth2']));
      },
    },
    {
      name: 'a new collection plans a table',
      ...plan({ action: 'create', collection: { name: 'notes', type: 'base', fields: [{ name: 'body', type: 'text' }] } }), status: 200,
      check: (j) => {
        expect(j.lossy).toBe(0);
        expect(j.refused).toBe(0);
        expect(j.lines.join('\n')).toContain('notes');
        expect(j.collection).toMatchObject({ name: 'notes', type: 'base' });
        expect(j.collection.fields.map((f: any) => f.name)).toEqual(['id', 'body']);
      },
    },
    {
      name: 'dropping a field with data is marked [loses data]',
      ...plan({ action: 'update', id: 'posts', collection: { fields: [{ name: 'title', type: 'text' }] } }), status: 200,
      check: (j) => {
        expect(j.lossy).toBeGreaterThan(0);
        expect(j.lines.join('\n')).toContain('[loses data]');
        expect(j.steps.some((s: any) => s.lossy && s.description.includes('views'))).toBe(true);
      },
    },
    {
      name: 'a rule that does not compile is the write’s own 400 under the rule',
      ...plan({ action: 'update', id: 'posts', collection: { listRule: 'nope = 1' }, plan: false }), status: 400,
      check: (j) => expect(j.data.listRule).toMatchObject({ code: 'validation_invalid_rule' }),
    },
    {
      name: 'a rule may name @request and fields; only checking gives no steps',
      ...plan({ action: 'update', id: 'posts', collection: { listRule: '@request.auth.id != "" && title != ""' }, plan: false }), status: 200,
      check: (j) => expect(j).toMatchObject({ steps: [], lossy: 0, collection: { listRule: '@request.auth.id != "" && title != ""' } }),
    },
    {
      name: 'deleting a collection plans its table drop as lossy',
      ...plan({ action: 'delete', id: 'posts' }), status: 200,
      check: (j) => expect(j.steps.some((s: any) => s.lossy)).toBe(true),
    },
    {
      name: 'an import plans every collection it brings',
      ...plan({ action: 'import', collections: [{ name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] }] }), status: 200,
      check: (j) => expect(j.lines.join('\n')).toContain('tags'),
    },
    { name: 'an empty import is refused as the import route refuses it', ...plan({ action: 'import', collections: [] }), status: 400, contains: ['"collections"'] },
    { name: 'an unknown action is a 400', ...plan({ action: 'rename' }), status: 400, contains: ['"action"'] },
    { name: 'an update needs an id', ...plan({ action: 'update', collection: {} }), status: 400, contains: ['"id"'] },
    { name: 'an unknown collection is a 404', ...plan({ action: 'update', id: 'nope', collection: {} }), status: 404 },
    { name: 'a body that is not an object is a 400', ...plan('[1]'), headers: { 'content-type': 'application/json' }, status: 400 },
  ];
  it.each(table)('$name', async (s) => { await runScenario(g, s, tokens); });

  it('planning never touches the schema file or the tables', async () => {
    expect(g.readText()).toBe(before);
    const posts = await g.call('GET', '/api/collections/posts/records');
    expect(posts.json.items).toEqual([expect.objectContaining({ title: 'one', views: 3 })]);
  });
});

describe('a server without collection writes', () => {
  let g: FileGalley;
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA);
  });
  afterAll(() => g?.close());

  const table: Scenario[] = [
    {
      name: 'the meta says read-only, with the message that says how to enable writes',
      method: 'GET', path: '/api/galley/collections/meta', status: 200,
      check: (j) => {
        expect(j.writable).toBe(false);
        expect(j.message).toContain('--allow-collection-writes');
      },
    },
    {
      name: 'planning is refused as the write is',
      method: 'POST', path: '/api/galley/collections/plan', body: { action: 'create', collection: { name: 'x' } }, status: 403,
      contains: ['read-only'],
    },
  ];
  it.each(table)('$name', async (s) => { await runScenario(g, { ...s, as: g.root }); });
});
