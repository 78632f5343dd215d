import type { CollectionField } from 'pocketbase';
import { describe, expect, it } from 'vitest';
import { dateToInput, importValue, inputToDate } from './record-fields.ts';

const field = (type: string, extra: Record<string, unknown> = {}) => ({ id: type, name: type, type, system: false, hidden: false, presentable: false, ...extra }) as CollectionField;

describe('record fields', () => {
  it.each([
    [field('number'), '12.5', 12.5],
    [field('number'), '', null],
    [field('bool'), 'yes', true],
    [field('bool'), '0', false],
    [field('json'), '{"a":1}', { a: 1 }],
    [field('geoPoint'), '{"lat":1,"lon":2}', { lat: 1, lon: 2 }],
    [field('select', { maxSelect: 3 }), 'a, b', ['a', 'b']],
    [field('relation', { maxSelect: 3 }), '["x","y"]', ['x', 'y']],
    [field('relation', { maxSelect: 1 }), ' x ', 'x'],
    [field('text'), ' kept ', ' kept '],
    [field('json'), { already: 'parsed' }, { already: 'parsed' }],
  ])('imports %o from %j', (f, raw, want) => expect(importValue(f, raw)).toEqual(want));

  it.each([
    [field('number'), 'abc', 'is not a number'],
    [field('bool'), 'maybe', 'is not true/false'],
    [field('json'), '{', 'is not valid JSON'],
  ])('refuses %o from %j', (f, raw, message) => expect(() => importValue(f, raw)).toThrow(message));

  it('dates go to a datetime-local input and back as UTC wire text', () => {
    expect(dateToInput('2025-03-04 05:06:07.123Z')).toBe('2025-03-04T05:06:07');
    expect(inputToDate('2025-03-04T05:06:07')).toBe('2025-03-04 05:06:07.000Z');
    expect(inputToDate('2025-03-04T05:06')).toBe('2025-03-04 05:06:00.000Z');
    expect(dateToInput('')).toBe('');
  });
});
