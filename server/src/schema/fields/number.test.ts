import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { numberField } from './number.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'n1', name: 'price', type: 'number', system: false, hidden: false, presentable: false, ...numberField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const codeOf = (v: unknown, o: Record<string, unknown> = {}) =>
  (numberField.validate(v, field(o), ctx) as { code: string } | null)?.code ?? null;

describe('number prepare (Go cast.ToFloat64)', () => {
  it.each([
    [5, 5],
    ['5', 5],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['', 0],
    ['abc', 0],
    [' 5', 0],
    [true, 1],
    [false, 0],
    [null, 0],
    [[1], 0],
  ])('%j → %j', (raw, want) => expect(numberField.prepare(raw, field())).toBe(want));
  it('NaN and Inf parse, then fail validation', () => {
    expect(numberField.prepare('NaN', field())).toBeNaN();
    expect(numberField.prepare('-Inf', field())).toBe(-Infinity);
    expect(codeOf(numberField.prepare('NaN', field()))).toBe('validation_not_a_number');
    expect(codeOf(Infinity)).toBe('validation_not_a_number');
  });
});

describe('number validate', () => {
  it.each([
    ['zero passes', 0, {}, null],
    ['zero is blank when required', 0, { required: true }, 'validation_required'],
    ['zero skips min', 0, { min: 5 }, null],
    ['min', 4, { min: 5 }, 'validation_min_number_constraint'],
    ['max', 6, { max: 5 }, 'validation_max_number_constraint'],
    ['negative max', -1, { max: -2 }, 'validation_max_number_constraint'],
    ['onlyInt', 1.5, { onlyInt: true }, 'validation_only_int_constraint'],
    ['onlyInt ok', 2, { onlyInt: true }, null],
    ['string', '5', {}, 'validation_unsupported_value_type'],
  ])('%s', (_n, v, o, code) => expect(codeOf(v, o)).toBe(code));
  it('params', () => {
    expect(numberField.validate(1, field({ min: 2 }), ctx)).toMatchObject({ params: { min: 2 } });
  });
});

describe('number modify, storage, options', () => {
  it('add and subtract', () => {
    expect(numberField.modify!(5, 'add', '2', field())).toBe(7);
    expect(numberField.modify!(5, 'subtract', 2, field())).toBe(3);
    expect(numberField.modify!(null, 'add', 2, field())).toBe(2);
  });
  it('storage', () => {
    expect(numberField.column(field())).toEqual({ type: 'numeric', notNull: true, defaultValue: 0 });
    expect(numberField.toStorage(1.25, field())).toBe(1.25);
    expect(numberField.fromStorage(3, field())).toBe(3);
    expect(numberField.fromStorage('2.5', field())).toBe(2.5);
    expect(numberField.fromStorage(null, field())).toBe(0);
    expect(numberField.zero(field())).toBe(0);
    expect(numberField.filterKind(field())).toBe('number');
  });
  it('option problems', () => {
    const c = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };
    expect(numberField.checkOptions!(field({ min: 5, max: 1 }), c).map((p) => p.key)).toEqual(['max']);
    expect(numberField.checkOptions!(field({ min: 0.5, onlyInt: true }), c).map((p) => p.key)).toEqual(['min']);
    expect(numberField.checkOptions!(field({ min: null, max: 0 }), c)).toEqual([]);
  });
});
