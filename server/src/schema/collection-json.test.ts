import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toCollectionJson } from './collection-json.ts';
import { loadSchema, loadSchemaFile } from './load.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/pocketbase-export.json', import.meta.url));
const exported = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Array<Record<string, unknown>>;

/** Galley's one change to an export: an exact unique email index compares case-insensitively (README). */
const asNocaseEmailIndex = (sql: string) => sql.replace('(`email`)', '(`email` COLLATE NOCASE)');

/** wire: PocketBase writes unset Go slices as null; Galley reads them as []. */
function withEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withEmptyLists);
  if (typeof value === 'string') return asNocaseEmailIndex(value);
  if (typeof value !== 'object' || value === null) return value;
  const lists = ['exceptDomains', 'onlyDomains', 'mimeTypes', 'thumbs', 'values'];
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null && lists.includes(k) ? [] : withEmptyLists(v)]));
}

describe('a PocketBase export', () => {
  const schema = loadSchemaFile(FIXTURE);

  it('loads unchanged, keeping every collection and field id', () => {
    expect(schema.collections.map((c) => c.id)).toEqual(exported.map((c) => c['id']));
    for (const c of exported) {
      const model = schema.findCollection(c['id'] as string);
      expect(model?.name).toBe(c['name']);
      expect(model?.fields.map((f) => f.id)).toEqual((c['fields'] as Array<{ id: string }>).map((f) => f.id));
      expect(model?.indexes).toEqual((c['indexes'] as string[]).map(asNocaseEmailIndex));
    }
    expect(schema.findCollection('posts_stats')?.viewQuery).toContain('GROUP BY p.author');
    expect(schema.findCollection('users')?.auth?.passwordAuth.identityFields).toEqual(['email', 'username']);
  });

  it('comes back from toCollectionJson as it went in (plus oauth2.providers, minus Go nulls)', () => {
    for (const c of exported) {
      const out = toCollectionJson(schema.findCollection(c['id'] as string)!);
      if (c['type'] === 'auth') {
        expect((out['oauth2'] as Record<string, unknown>)['providers']).toEqual([]);
        delete (out['oauth2'] as Record<string, unknown>)['providers'];
      }
      expect(Object.keys(out)).toEqual(Object.keys(c));
      expect(out).toEqual(withEmptyLists(c));
    }
  });

  it('field keys are sorted as PocketBase writes them', () => {
    const posts = toCollectionJson(schema.findCollection('posts')!);
    for (const f of posts['fields'] as Array<Record<string, unknown>>) expect(Object.keys(f)).toEqual(Object.keys(f).sort());
  });

  it('reloading its collection JSON gives the same schema', () => {
    const again = loadSchema(schema.collections.map(toCollectionJson));
    expect(again.collections).toEqual(schema.collections);
  });
});

describe('toCollectionJson', () => {
  const schema = loadSchema({
    collections: [
      {
        name: 'members',
        type: 'auth',
        oauth2: { enabled: true, providers: [{ name: 'github', clientId: 'cid', clientSecret: 'shh' }] },
        passwordAuth: { enabled: true },
        fields: [{ name: 'nick', type: 'text', renamedFrom: 'nickname' }],
      },
      { name: 'v', type: 'view', viewQuery: 'SELECT id FROM members', listRule: '' },
    ],
  });

  it('never includes secrets and always includes providers as an array', () => {
    const out = toCollectionJson(schema.findCollection('members')!);
    expect(JSON.stringify(out)).not.toContain('shh');
    expect((out['oauth2'] as { providers: unknown[] }).providers).toEqual([
      { pkce: null, name: 'github', clientId: 'cid', authURL: '', tokenURL: '', userInfoURL: '', displayName: '', extra: null },
    ]);
    expect(out['authToken']).toEqual({ duration: 432000 });
    expect(out).not.toHaveProperty('auth');
    expect(out).not.toHaveProperty('created');
  });

  it('leaves Galley-only keys out', () => {
    expect(JSON.stringify(toCollectionJson(schema.findCollection('members')!))).not.toContain('renamedFrom');
  });

  it('flattens view options and has PocketBase key order', () => {
    const out = toCollectionJson(schema.findCollection('v')!);
    expect(Object.keys(out)).toEqual(['id', 'listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'name', 'type', 'fields', 'indexes', 'system', 'viewQuery']);
    expect(out['viewQuery']).toBe('SELECT id FROM members');
  });
});
