import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { geoPointField } from './geo-point.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'g', name: 'where', type: 'geoPoint', system: false, hidden: false, presentable: false, ...geoPointField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };

describe('geoPoint', () => {
  it.each([
    [{ lon: 1.5, lat: 2 }, { lon: 1.5, lat: 2 }],
    ['{"lon":3,"lat":4}', { lon: 3, lat: 4 }],
    [null, { lon: 0, lat: 0 }],
    ['junk', { lon: 0, lat: 0 }],
    [{ lon: '1', lat: 2 }, { lon: 0, lat: 2 }],
  ])('prepare %j', (raw, want) => expect(geoPointField.prepare(raw, field())).toEqual(want));
  it.each([
    [{ lon: 0, lat: 0 }, {}, null],
    [{ lon: 0, lat: 0 }, { required: true }, 'validation_required'],
    [{ lon: 10, lat: 91 }, {}, 'validation_invalid_latitude'],
    [{ lon: -181, lat: 1 }, {}, 'validation_invalid_longitude'],
    [{ lon: 180, lat: -90 }, {}, null],
  ])('validate %j %j', (v, o, code) => {
    expect((geoPointField.validate(v, field(o), ctx) as { code: string } | null)?.code ?? null).toBe(code);
  });
  it('storage', () => {
    expect(geoPointField.column(field())).toEqual({ type: 'json', notNull: true, defaultValue: '{"lon":0,"lat":0}' });
    expect(geoPointField.toStorage({ lat: 2, lon: 1 }, field())).toBe('{"lon":1,"lat":2}');
    expect(geoPointField.fromStorage('{"lon":1,"lat":2}', field())).toEqual({ lon: 1, lat: 2 });
    expect(geoPointField.zero(field())).toEqual({ lon: 0, lat: 0 });
    expect(geoPointField.filterKind(field())).toBe('geo');
  });
});
