import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { textField } from './text.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 't1', name: 'title', type: 'text', system: false, hidden: false, presentable: false, ...textField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const idField = field({ name: 'id', primaryKey: true, required: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' });

describe('text prepare', () => {
  it.each([
    ['abc', 'abc'],
    [12, '12'],
    [1.5, '1.5'],
    [1e21, '1000000000000000000000'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
    [{ a: 1 }, ''],
    [['a'], ''],
  ])('%j → %j', (raw, want) => expect(textField.prepare(raw, field())).toBe(want));
});

describe('text validate', () => {
  const cases: Array<[string, Record<string, unknown>, unknown, string | null]> = [
    ['blank passes', {}, '', null],
    ['blank required', { required: true }, '', 'validation_required'],
    ['default max 5000 runes', {}, 'é'.repeat(5000), null],
    ['over 5000 runes', {}, 'a'.repeat(5001), 'validation_max_text_constraint'],
    ['min', { min: 3 }, 'ab', 'validation_min_text_constraint'],
    ['max', { max: 3 }, 'abcd', 'validation_max_text_constraint'],
    ['runes not bytes', { max: 3 }, '日本語', null],
    ['pattern ok', { pattern: '^[a-z]+$' }, 'abc', null],
    ['pattern bad', { pattern: '^[a-z]+$' }, 'ab1', 'validation_invalid_format'],
    ['go flag', { pattern: '(?i)^abc$' }, 'ABC', null],
    ['not a string', {}, 5, 'validation_unsupported_value_type'],
    ['custom pk forbidden char', { name: 'id', primaryKey: true, pattern: '^.+$' }, 'a/b', 'validation_forbidden_pk_character'],
    ['custom pk reserved', { name: 'id', primaryKey: true, pattern: '^.+$' }, 'con', 'validation_reserved_pk'],
  ];
  it.each(cases)('%s', (_n, opts, value, code) => {
    const got = textField.validate(value, field(opts), ctx) as { code: string } | null;
    expect(got?.code ?? null).toBe(code);
  });

  it('carries params', () => {
    expect(textField.validate('a'.repeat(6), field({ max: 5 }), ctx)).toEqual({
      code: 'validation_max_text_constraint',
      message: 'Must be no more than 5 character(s).',
      params: { max: 5 },
    });
  });

  it('refuses a primary key change', () => {
    const got = textField.validate('bbbbbbbbbbbbbbb', idField, { ...ctx, isNew: false, original: 'aaaaaaaaaaaaaaa' });
    expect((got as { code: string }).code).toBe('validation_pk_change');
  });
});

describe('text autofill', () => {
  it('generates the id on create when empty', () => {
    const v = textField.autofill!('', idField, { isNew: true, now: new Date() });
    expect(v).toMatch(/^[a-z0-9]{15}$/);
    expect(textField.validate(v, idField, ctx)).toBeNull();
  });
  it('keeps a given value and never fills on update', () => {
    expect(textField.autofill!('given', idField, { isNew: true, now: new Date() })).toBe('given');
    expect(textField.autofill!('', idField, { isNew: false, now: new Date() })).toBe('');
  });
  it('does nothing without a pattern', () => {
    expect(textField.autofill!('', field(), { isNew: true, now: new Date() })).toBe('');
  });
});

describe('text storage and options', () => {
  it('columns', () => {
    expect(textField.column(field())).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(textField.column(idField)).toEqual({ type: 'text', notNull: true, defaultValue: '', primaryKey: true });
  });
  it('round trip and zero', () => {
    expect(textField.fromStorage(textField.toStorage('x', field()), field())).toBe('x');
    expect(textField.fromStorage(null, field())).toBe('');
    expect(textField.zero(field())).toBe('');
    expect(textField.filterKind(field())).toBe('text');
  });
  it('option problems', () => {
    const opts = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };
    expect(textField.checkOptions!(field({ min: 5, max: 2 }), opts)).toEqual([{ key: 'max', message: 'must be greater than or equal to min (5)' }]);
    expect(textField.checkOptions!(field({ pattern: '[' }), opts)[0]?.key).toBe('pattern');
    expect(textField.checkOptions!(field({ primaryKey: true }), opts)[0]?.key).toBe('primaryKey');
    expect(textField.checkOptions!(field({ autogeneratePattern: '[a-z]{3}', min: 5 }), opts)[0]?.message).toMatch(/can produce invalid values/);
    expect(textField.checkOptions!(idField, opts)).toEqual([]);
  });
});
