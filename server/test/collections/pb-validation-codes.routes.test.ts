// The collections API's validation codes where PocketBase's apis/collection_test.go names them: reserved field
// names, invalid view queries, two indexes with one name, a missing name before a taken one, and an index whose
// CREATE INDEX names another table (rewritten to the collection's table, as PocketBase does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { startFileGalley, type FileGalley } from './harness.ts';

const SCHEMA = {
  collections: [
    { name: 'posts', type: 'base', fields: [{ name: 'title', type: 'text' }] },
  ],
};

describe('collections API validation codes (PocketBase apis/collection_test.go)', () => {
  let g: FileGalley;
  const tokens: Record<string, string | null> = {};
  beforeAll(async () => {
    g = await startFileGalley(SCHEMA, { dev: true });
    tokens['root'] = g.root;
  });
  afterAll(() => g?.close());

  const table: Scenario[] = [
    {
      name: 'a base collection may not name fields id, expand, collectionId or collectionName',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'new1', type: 'base', fields: [{ type: 'text', name: 'id' }, { type: 'text', name: 'expand' }, { type: 'text', name: 'collectionId' }, { type: 'text', name: 'collectionName' }] },
      contains: ['"data":{"fields":{', '"1":{"name":{"code":"validation_not_in_invalid', '"2":{"name":{"code":"validation_not_in_invalid', '"3":{"name":{"code":"validation_not_in_invalid'],
    },
    {
      name: 'an auth collection may not name fields oldPassword or passwordConfirm',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'new2', type: 'auth', fields: [{ type: 'text', name: 'oldPassword' }, { type: 'text', name: 'passwordConfirm' }] },
      contains: ['"data":{"fields":{', '"1":{"name":{"code":"validation_reserved_field_name', '"2":{"name":{"code":"validation_reserved_field_name'],
    },
    {
      name: 'a view query without an id column is validation_invalid_view_query',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'new3', type: 'view', fields: [{ type: 'text', id: '12345789', name: 'ignored!@#$' }], viewQuery: "select '123' as abc" },
      contains: ['"viewQuery":{"code":"validation_invalid_view_query'],
    },
    {
      name: 'two indexes with one name: validation_duplicated_index_name under the second',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'new4', type: 'base', indexes: ['create index duplicate_idx on new4 (created)', 'create index duplicate_idx on new4 (updated)'] },
      contains: ['"indexes":{', '"1":{"code":"validation_duplicated_index_name"'],
    },
    {
      name: 'a missing name is reported as required',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { type: 'base' },
      contains: ['"name":{"code":"validation_required"'],
    },
    {
      name: 'an empty body reports the name as required',
      method: 'POST', path: '/api/collections', as: 'root', status: 400, body: '', headers: { 'content-type': 'application/json' },
      contains: ['"name":{"code":"validation_required"'],
    },
    {
      name: 'a taken name and a blank field name are both reported',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'posts', type: 'base', fields: [{ type: 'text', name: '' }] },
      contains: ['"name":{"code":"validation_collection_name_exists"', '"name":{"code":"validation_required"'],
    },
    {
      name: 'a taken name is validation_collection_name_exists',
      method: 'POST', path: '/api/collections', as: 'root', status: 400,
      body: { name: 'posts', type: 'base' },
      contains: ['"name":{"code":"validation_collection_name_exists"'],
    },
    {
      name: 'a rule with :length on a single-value body field is refused when saved, with the reason',
      method: 'PATCH', path: '/api/collections/posts', as: 'root', status: 400,
      body: { createRule: '@request.body.title:length > 1' },
      contains: ['"createRule":{"code":"validation_invalid_rule"', 'only applies to select, file and relation fields, not to the field \\"title\\"'],
    },
    {
      name: 'creating a view collection succeeds',
      method: 'POST', path: '/api/collections', as: 'root', status: 200,
      body: { name: 'new5', type: 'view', fields: [{ type: 'text', id: '12345789', name: 'ignored!@#$' }], viewQuery: 'select 1 as id from _superusers limit 1' },
      contains: ['"name":"new5"', '"type":"view"'],
      check: (j) => expect(j.fields.map((f: any) => f.name)).toEqual(['id']),
    },
    {
      name: 'updating a view’s query takes its fields from the new query (the fields sent are ignored)',
      method: 'PATCH', path: '/api/collections/new5', as: 'root', status: 200,
      body: { fields: [{ type: 'text', name: 'id' }], viewQuery: "select id, email from _superusers" },
      check: (j) => expect(j.fields.map((f: any) => f.name)).toEqual(['id', 'email']),
    },
    {
      name: 'an index naming another table is rewritten to the collection’s table',
      method: 'POST', path: '/api/collections', as: 'root', status: 200,
      body: { name: 'new6', type: 'base', fields: [{ type: 'text', name: 'test' }], indexes: ['create index idx_new6_test on random_table (test)'] },
      check: (j) => expect(j.indexes).toEqual([expect.stringMatching(/^CREATE INDEX `?idx_new6_test`? ON `?new6`? \(`?test`?\)$/i)]),
    },
    {
      name: 'an imported collection’s index naming another table is rewritten too',
      method: 'PUT', path: '/api/collections/import', as: 'root', status: 204,
      body: { collections: [{ name: 'new7', type: 'base', fields: [{ type: 'text', name: 'test' }], indexes: ['CREATE INDEX idx_new7_test ON elsewhere (test)'] }] },
      check: () => expect(g.galley.core.schema.findCollection('new7')?.indexes).toEqual([expect.stringMatching(/ON `?new7`? \(`?test`?\)$/i)]),
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(g, s, tokens);
  });
});
