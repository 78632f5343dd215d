/** `geoPoint`: `{lon, lat}` stored as JSON; (0, 0) is the blank value. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { requiredIssue, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType } from './field-type.ts';

export interface GeoPoint {
  lon: number;
  lat: number;
}

function readCoordinate(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** wire: objects and JSON text with numeric lon/lat; anything else is (0, 0). */
export function toGeoPoint(raw: unknown): GeoPoint {
  let value = raw;
  if (typeof raw === 'string' && raw !== '') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      value = null;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { lon: 0, lat: 0 };
  const o = value as Record<string, unknown>;
  return { lon: readCoordinate(o['lon']), lat: readCoordinate(o['lat']) };
}

export const geoPointField: FieldType = {
  name: 'geoPoint',
  options: Type.Object({ ...valueOptions }),
  defaults: { ...valueDefaults },

  column: () => ({ type: 'json', notNull: true, defaultValue: '{"lon":0,"lat":0}' }),
  isMulti: () => false,
  zero: () => ({ lon: 0, lat: 0 }),
  prepare: toGeoPoint,
  validate(value, field) {
    const p = toGeoPoint(value);
    if (p.lon === 0 && p.lat === 0) return field.required ? requiredIssue() : null;
    if (!(p.lat >= -90 && p.lat <= 90)) return issue('validation_invalid_latitude', 'Latitude must be between -90 and 90 degrees.');
    if (!(p.lon >= -180 && p.lon <= 180)) return issue('validation_invalid_longitude', 'Longitude must be between -180 and 180 degrees.');
    return null;
  },
  toStorage: (value) => JSON.stringify(toGeoPoint(value)),
  fromStorage: toGeoPoint,
  filterKind: () => 'geo',
};
