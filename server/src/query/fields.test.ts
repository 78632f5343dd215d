import { describe, expect, it } from 'vitest';
import { excerptText, pickFields } from './fields.ts';

describe('fields projection', () => {
  const record = { id: 'a', title: 'T', body: '<p>Hello <b>big</b> world</p>', expand: { author: { id: 'u', name: 'N', email: 'e' } } };

  it('keeps only listed paths, reaching into expand', () => {
    expect(pickFields(record, 'id,expand.author.name')).toEqual({ id: 'a', expand: { author: { name: 'N' } } });
  });

  it('projects list items but keeps the envelope', () => {
    const list = { page: 1, perPage: 30, totalItems: 1, totalPages: 1, items: [record] };
    expect(pickFields(list, 'title')).toEqual({ page: 1, perPage: 30, totalItems: 1, totalPages: 1, items: [{ title: 'T' }] });
  });

  it('supports * and :excerpt', () => {
    expect(pickFields(record, '*,body:excerpt(9,true)')).toMatchObject({ id: 'a', title: 'T', body: 'Hello big...' });
    expect(pickFields(record, 'body:excerpt(5)')).toEqual({ body: 'Hello' });
    expect(excerptText('<script>alert(1)</script>plain', 100, false)).toBe('plain');
  });

  it('refuses unknown modifiers', () => {
    expect(() => pickFields(record, 'title:upper()')).toThrow(/unknown modifier/);
  });
});
