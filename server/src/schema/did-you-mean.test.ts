import { describe, expect, it } from 'vitest';
import { measureEditDistance, suggestName } from './did-you-mean.ts';

describe('did you mean', () => {
  it('measures edits, swaps count once', () => {
    expect(measureEditDistance('txt', 'text')).toBe(1);
    expect(measureEditDistance('tetx', 'text')).toBe(1);
    expect(measureEditDistance('LISTRULE', 'listRule')).toBe(0);
  });
  it.each([
    ['txt', 'text'],
    ['realtion', 'relation'],
    ['geopoint', 'geoPoint'],
    ['maxLength', 'max'],
    ['datetime', 'date'],
    ['xyz', undefined],
    ['string', undefined],
  ])('%s → %s', (input, want) => {
    expect(suggestName(input, ['text', 'number', 'relation', 'geoPoint', 'date', 'max', 'min'])).toBe(want);
  });
});
