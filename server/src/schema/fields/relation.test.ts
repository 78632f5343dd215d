import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { OptionCheckContext, ValidateContext } from './field-type.ts';
import { relationField } from './relation.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'r', name: 'author', type: 'relation', system: false, hidden: false, presentable: false, ...relationField.defaults, collectionId: 'pbc_1', ...o }) as FieldModel;
const single = field();
const multi = field({ maxSelect: 5 });
const stored = new Set(['u1', 'u2', 'u3']);
const ctx: ValidateContext = {
  isSuperuser: false,
  isNew: true,
  existingIds: async (collectionId, ids) => {
    if (collectionId !== 'pbc_1') throw new Error('no such table');
    return new Set(ids.filter((id) => stored.has(id)));
  },
};
const cols = [
  { id: 'pbc_1', name: 'users', type: 'auth' as const },
  { id: 'pbc_2', name: 'stats', type: 'view' as const },
];
const opts: OptionCheckContext = {
  hasCollection: (x) => cols.some((c) => c.id === x || c.name === x.toLowerCase()),
  findCollection: (x) => cols.find((c) => c.id === x || c.name === x.toLowerCase()),
  owner: { name: 'posts', type: 'base' },
};
const codeOf = async (v: unknown, f: FieldModel) => ((await relationField.validate(v, f, ctx)) as { code: string } | null)?.code ?? null;

describe('relation', () => {
  it('prepare keeps the last id for single, all for multi', () => {
    expect(relationField.prepare(['u1', 'u2'], single)).toBe('u2');
    expect(relationField.prepare('["u1","u2"]', multi)).toEqual(['u1', 'u2']);
  });
  it.each([
    ['blank', '', single, null],
    ['required', '', field({ required: true }), 'validation_required'],
    ['exists', 'u1', single, null],
    ['missing record', 'nope', single, 'validation_missing_rel_records'],
    ['one of many missing', ['u1', 'nope'], multi, 'validation_missing_rel_records'],
    ['minSelect', ['u1'], field({ minSelect: 2, maxSelect: 5 }), 'validation_not_enough_values'],
    ['maxSelect', ['u1', 'u2', 'u3'], field({ maxSelect: 2 }), 'validation_too_many_values'],
    ['missing collection', 'u1', field({ collectionId: 'gone' }), 'validation_missing_rel_collection'],
  ])('%s', async (_n, v, f, code) => expect(await codeOf(v, f)).toBe(code));

  it('modifiers', () => {
    expect(relationField.modify!(['u1'], 'append', 'u2', multi)).toEqual(['u1', 'u2']);
    expect(relationField.modify!(['u1', 'u2'], 'remove', ['u1'], multi)).toEqual(['u2']);
    expect(relationField.modify!('u1', 'prepend', 'u2', single)).toBe('u1');
  });
  it('relation() and storage', () => {
    expect(relationField.relation!(field({ maxSelect: 3, cascadeDelete: true }))).toEqual({ collectionId: 'pbc_1', multi: true, cascadeDelete: true });
    expect(relationField.relation!(single)).toEqual({ collectionId: 'pbc_1', multi: false, cascadeDelete: false });
    expect(relationField.column(multi)).toEqual({ type: 'json', notNull: true, defaultValue: '[]' });
    expect(relationField.toStorage(['u1'], multi)).toBe('["u1"]');
    expect(relationField.fromStorage('u1', single)).toBe('u1');
  });
  it('options: target by name resolves to the id; views only from views', () => {
    expect(relationField.checkOptions!(field({ collectionId: 'users' }), opts)).toEqual([]);
    expect(relationField.resolveOptions!(field({ collectionId: 'Users' }), opts)['collectionId']).toBe('pbc_1');
    expect(relationField.checkOptions!(field({ collectionId: 'nope' }), opts)[0]?.message).toBe('"nope" is not a collection of this schema');
    expect(relationField.checkOptions!(field({ collectionId: '' }), opts).map((p) => p.key)).toEqual(['collectionId']);
    expect(relationField.checkOptions!(field({ collectionId: 'stats' }), opts)[0]?.message).toMatch(/view/);
    expect(relationField.checkOptions!(field({ minSelect: 3, maxSelect: 2 }), opts).map((p) => p.key)).toEqual(['maxSelect']);
  });
});
