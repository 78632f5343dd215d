import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import { fieldTypeNames, fieldTypeOf, getFieldType } from './registry.ts';

describe('registry', () => {
  it('knows all of PocketBase field types', () => {
    expect(fieldTypeNames().sort()).toEqual(
      ['autodate', 'bool', 'date', 'editor', 'email', 'file', 'geoPoint', 'json', 'number', 'password', 'relation', 'select', 'text', 'url'],
    );
    for (const name of fieldTypeNames()) expect(getFieldType(name)?.name).toBe(name);
  });
  it('throws for an unknown type', () => {
    expect(getFieldType('txt')).toBeUndefined();
    expect(() => fieldTypeOf({ name: 'x', type: 'txt' } as FieldModel)).toThrow(/unknown field type "txt"/);
  });
  it('every default is a declared option', () => {
    for (const name of fieldTypeNames()) {
      const t = getFieldType(name)!;
      expect(Object.keys(t.defaults).sort()).toEqual(Object.keys(t.options.properties).sort());
    }
  });
});
