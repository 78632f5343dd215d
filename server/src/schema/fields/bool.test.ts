import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import { boolField } from './bool.ts';
import type { ValidateContext } from './field-type.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'b1', name: 'done', type: 'bool', system: false, hidden: false, presentable: false, ...boolField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };

describe('bool', () => {
  it.each([
    [true, true],
    ['true', true],
    ['1', true],
    ['t', true],
    ['TRUE', true],
    ['yes', false],
    ['false', false],
    [1, true],
    [0, false],
    [null, false],
    ['', false],
  ])('prepare %j → %j', (raw, want) => expect(boolField.prepare(raw, field())).toBe(want));

  it('required means true', () => {
    expect(boolField.validate(false, field({ required: true }), ctx)).toMatchObject({ code: 'validation_required' });
    expect(boolField.validate(true, field({ required: true }), ctx)).toBeNull();
    expect(boolField.validate(false, field(), ctx)).toBeNull();
  });

  it('stores 0/1 and reads a boolean', () => {
    expect(boolField.column(field())).toEqual({ type: 'boolean', notNull: true, defaultValue: false });
    expect(boolField.toStorage(true, field())).toBe(1);
    expect(boolField.toStorage(false, field())).toBe(0);
    expect(boolField.fromStorage(1, field())).toBe(true);
    expect(boolField.fromStorage(0, field())).toBe(false);
    expect(boolField.fromStorage(null, field())).toBe(false);
    expect(boolField.zero(field())).toBe(false);
    expect(boolField.filterKind(field())).toBe('bool');
  });
});
