import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import { autodateField } from './autodate.ts';
import { dateField } from './date.ts';
import type { ValidateContext } from './field-type.ts';

const date = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'd', name: 'published', type: 'date', system: false, hidden: false, presentable: false, ...dateField.defaults, ...o }) as FieldModel;
const auto = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'a', name: 'updated', type: 'autodate', system: false, hidden: false, presentable: false, ...autodateField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const opts = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };

describe('date', () => {
  it.each([
    ['2024-01-02 03:04:05.678Z', '2024-01-02 03:04:05.678Z'],
    ['2024-01-02T03:04:05Z', '2024-01-02 03:04:05.000Z'],
    ['2024-01-02T05:04:05+02:00', '2024-01-02 03:04:05.000Z'],
    ['2024-01-02', '2024-01-02 00:00:00.000Z'],
    ['nope', ''],
    ['', ''],
    [1700000000, ''],
    [null, ''],
  ])('prepare %j → %j', (raw, want) => expect(dateField.prepare(raw, date())).toBe(want));

  it('required and bounds', () => {
    const f = date({ min: '2024-01-01 00:00:00.000Z', max: '2024-12-31 00:00:00.000Z' });
    expect(dateField.validate('', date({ required: true }), ctx)).toMatchObject({ code: 'validation_required' });
    expect(dateField.validate('2024-06-01 00:00:00.000Z', f, ctx)).toBeNull();
    expect(dateField.validate('2023-06-01 00:00:00.000Z', f, ctx)).toMatchObject({ code: 'validation_min_greater_equal_than_required' });
    expect(dateField.validate('2025-06-01 00:00:00.000Z', f, ctx)).toMatchObject({ code: 'validation_max_less_equal_than_required' });
  });

  it('options are checked and normalised', () => {
    expect(dateField.checkOptions!(date({ min: 'soon' }), opts).map((p) => p.key)).toEqual(['min']);
    expect(dateField.checkOptions!(date({ min: '2024-02-01', max: '2024-01-01' }), opts).map((p) => p.key)).toEqual(['max']);
    expect(dateField.resolveOptions!(date({ min: '2024-02-01' }), opts)['min']).toBe('2024-02-01 00:00:00.000Z');
  });

  it('storage', () => {
    expect(dateField.column(date())).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(dateField.toStorage('2024-01-02T03:04:05Z', date())).toBe('2024-01-02 03:04:05.000Z');
    expect(dateField.fromStorage(null, date())).toBe('');
    expect(dateField.filterKind(date())).toBe('date');
    expect(dateField.zero(date())).toBe('');
  });
});

describe('autodate', () => {
  const now = new Date('2024-05-06T07:08:09.123Z');
  it('stamps on create and/or update', () => {
    expect(autodateField.autofill!('', auto({ onCreate: true }), { isNew: true, now })).toBe('2024-05-06 07:08:09.123Z');
    expect(autodateField.autofill!('x', auto({ onCreate: true }), { isNew: false, now })).toBe('x');
    expect(autodateField.autofill!('x', auto({ onCreate: true, onUpdate: true }), { isNew: false, now })).toBe('2024-05-06 07:08:09.123Z');
    expect(autodateField.autofill!('', auto({ onUpdate: true }), { isNew: true, now })).toBe('');
  });
  it('is server managed and needs one of the flags', () => {
    expect(autodateField.serverManaged).toBe(true);
    expect(autodateField.checkOptions!(auto(), opts).map((p) => p.key)).toEqual(['onCreate']);
    expect(autodateField.defaults).not.toHaveProperty('required');
    expect(autodateField.filterKind(auto())).toBe('date');
    expect(autodateField.column(auto())).toEqual({ type: 'text', notNull: true, defaultValue: '' });
  });
});
