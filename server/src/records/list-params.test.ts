import { describe, expect, it } from 'vitest';
import { parseListParams } from './list-params.ts';

describe('list params (wire: PocketBase caps and defaults)', () => {
  it.each([
    [{}, { page: 1, perPage: 30, skipTotal: false }],
    [{ page: '0', perPage: '0' }, { page: 1, perPage: 30 }],
    [{ page: '-1', perPage: '-5' }, { page: 1, perPage: 30 }],
    [{ perPage: '5000' }, { perPage: 1000 }],
    [{ skipTotal: '1' }, { skipTotal: true }],
    [{ skipTotal: 'False' }, { skipTotal: false }],
  ])('%j → %j', (query, expected) => {
    expect(parseListParams(query as unknown as Record<string, string>)).toMatchObject(expected);
  });

  it.each([{ perPage: 'abc' }, { perPage: '1e9' }, { page: '1.5' }, { skipTotal: 'yes' }])('refuses %j with a 400 kind', (query) => {
    expect(() => parseListParams(query as unknown as Record<string, string>)).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});
