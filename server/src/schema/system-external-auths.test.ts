import { describe, expect, it } from 'vitest';
import { crc32 } from '../lib/ids.ts';
import { loadSchema } from './load.ts';

describe('_externalAuths', () => {
  it('is a built-in base collection with PocketBase id, fields, rules and unique indexes', () => {
    const c = loadSchema([]).findCollection('_externalAuths');
    expect(c).toMatchObject({ id: `pbc_${crc32('base_externalAuths')}`, type: 'base', system: true, createRule: null, updateRule: null });
    expect(c?.listRule).toBe("@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId");
    expect(c?.deleteRule).toBe(c?.listRule);
    expect(c?.fields.map((f) => f.name)).toEqual(['id', 'collectionRef', 'recordRef', 'provider', 'providerId', 'created', 'updated']);
    expect(c?.indexes.join('\n')).toMatch(/UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` \(collectionRef, provider, providerId\)/);
  });

  it('may not be defined by a schema file', () => {
    expect(() => loadSchema([{ name: '_externalAuths', type: 'base', fields: [] }])).toThrow(/built-in system collection/);
  });
});
