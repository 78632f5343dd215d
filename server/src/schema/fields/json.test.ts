import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { DEFAULT_JSON_MAX_SIZE, jsonField } from './json.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'j', name: 'meta', type: 'json', system: false, hidden: false, presentable: false, ...jsonField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };

describe('json prepare (PocketBase string rules)', () => {
  it.each([
    ['', ''],
    ['null', null],
    ['true', true],
    ['false', false],
    ['12', 12],
    ['-1.5', -1.5],
    ['"quoted"', 'quoted'],
    ['[1,2]', [1, 2]],
    ['{"a":1}', { a: 1 }],
    ['{broken', '{broken'],
    ['hello', 'hello'],
    ['12abc', '12abc'],
    [{ a: [1] }, { a: [1] }],
    [5, 5],
    [null, null],
    [undefined, null],
  ])('%j → %j', (raw, want) => expect(jsonField.prepare(raw, field())).toEqual(want));
});

describe('json validate', () => {
  it.each([null, '', [], {}])('required rejects %j', (v) => {
    expect(jsonField.validate(v, field({ required: true }), ctx)).toMatchObject({ code: 'validation_required' });
  });
  it.each([0, false, 'x', [0], { a: null }])('required accepts %j', (v) => {
    expect(jsonField.validate(v, field({ required: true }), ctx)).toBeNull();
  });
  it('size limit, default 1 MiB', () => {
    expect(DEFAULT_JSON_MAX_SIZE).toBe(1024 * 1024);
    expect(jsonField.validate('x'.repeat(DEFAULT_JSON_MAX_SIZE), field(), ctx)).toMatchObject({ code: 'validation_json_size_limit' });
    expect(jsonField.validate({ a: 'xxxx' }, field({ maxSize: 5 }), ctx)).toMatchObject({ code: 'validation_json_size_limit', params: { maxSize: 5 } });
  });
  it('values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(jsonField.validate(cyclic, field(), ctx)).toMatchObject({ code: 'validation_invalid_json' });
  });
});

describe('json storage', () => {
  it('nullable JSON column, text in and out', () => {
    expect(jsonField.column(field())).toEqual({ type: 'json', notNull: false, defaultValue: null });
    expect(jsonField.toStorage({ a: 1 }, field())).toBe('{"a":1}');
    expect(jsonField.toStorage('', field())).toBe('""');
    expect(jsonField.toStorage(null, field())).toBeNull();
    expect(jsonField.fromStorage('{"a":1}', field())).toEqual({ a: 1 });
    expect(jsonField.fromStorage('""', field())).toBe('');
    expect(jsonField.fromStorage(null, field())).toBeNull();
    expect(jsonField.zero(field())).toBeNull();
    expect(jsonField.filterKind(field())).toBe('json');
  });
});
