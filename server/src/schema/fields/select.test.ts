import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { selectField } from './select.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 's', name: 'status', type: 'select', system: false, hidden: false, presentable: false, ...selectField.defaults, values: ['a', 'b', 'c'], ...o }) as FieldModel;
const single = field();
const multi = field({ maxSelect: 2 });
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const opts = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };

describe('select prepare', () => {
  it.each([
    [single, 'a', 'a'],
    [single, ['a', 'b'], 'b'],
    [single, '["a","b"]', 'b'],
    [single, '', ''],
    [single, null, ''],
    [multi, 'a', ['a']],
    [multi, ['a', 'a', '', 'b'], ['a', 'b']],
    [multi, '["b","c"]', ['b', 'c']],
    [multi, '[not json', ['[not json']],
    [multi, null, []],
  ])('%#: %j', (f, raw, want) => expect(selectField.prepare(raw, f)).toEqual(want));
});

describe('select validate', () => {
  it.each([
    [single, '', {}, null],
    [field({ required: true }), '', {}, 'validation_required'],
    [multi, [], {}, null],
    [field({ required: true, maxSelect: 2 }), [], {}, 'validation_required'],
    [single, 'z', {}, 'validation_invalid_value'],
    [multi, ['a', 'b', 'c'], {}, 'validation_too_many_values'],
    [multi, ['a', 'c'], {}, null],
  ])('%#', (f, v, _o, code) => {
    const got = selectField.validate(v, f, ctx) as { code: string } | null;
    expect(got?.code ?? null).toBe(code);
  });
  it('invalid value names it', () => {
    expect(selectField.validate('z', single, ctx)).toEqual({ code: 'validation_invalid_value', message: 'Invalid value z.', params: { value: 'z' } });
  });
});

describe('select modify and storage', () => {
  it('append, prepend, remove with dedupe', () => {
    expect(selectField.modify!(['a'], 'append', ['b', 'a'], multi)).toEqual(['a', 'b']);
    expect(selectField.modify!(['a'], 'prepend', 'b', multi)).toEqual(['b', 'a']);
    expect(selectField.modify!(['a', 'b'], 'remove', 'a', multi)).toEqual(['b']);
    expect(selectField.modify!('a', 'append', 'b', single)).toBe('b');
    expect(selectField.modify!('a', 'remove', 'a', single)).toBe('');
    expect(selectField.modify!(['a', 'b'], 'append', 'c', multi)).toEqual(['a', 'b', 'c']); // count is validation's job
  });
  it('columns and encoding', () => {
    expect(selectField.column(single)).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(selectField.column(multi)).toEqual({ type: 'json', notNull: true, defaultValue: '[]' });
    expect(selectField.toStorage(['a', 'b'], multi)).toBe('["a","b"]');
    expect(selectField.toStorage([], multi)).toBe('[]');
    expect(selectField.toStorage('a', single)).toBe('a');
    expect(selectField.fromStorage('["a","b"]', multi)).toEqual(['a', 'b']);
    expect(selectField.fromStorage('[]', multi)).toEqual([]);
    expect(selectField.fromStorage('a', multi)).toEqual(['a']);
    expect(selectField.fromStorage('a', single)).toBe('a');
    expect(selectField.fromStorage(null, single)).toBe('');
    expect(selectField.zero(single)).toBe('');
    expect(selectField.zero(multi)).toEqual([]);
    expect(selectField.isMulti(multi)).toBe(true);
    expect(selectField.filterKind(multi)).toBe('multi');
    expect(selectField.filterKind(single)).toBe('text');
  });
  it('options', () => {
    expect(selectField.checkOptions!(field({ values: [] }), opts).map((p) => p.key)).toEqual(['values']);
    expect(selectField.checkOptions!(field({ maxSelect: 5 }), opts).map((p) => p.key)).toEqual(['maxSelect']);
  });
});
