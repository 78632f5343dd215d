import { describe, expect, it } from 'vitest';
import { generateFromPattern } from './autogenerate.ts';

describe('generateFromPattern', () => {
  it.each([
    '[a-z0-9]{15}',
    '[a-zA-Z0-9]{50}',
    '^[A-Z]{3}-\\d{4}$',
    'ord_[a-f0-9]{8,12}',
    '(foo|bar)-[0-9]+',
    '[^a-z]{5}',
    'x\\.y?',
  ])('%s generates matching values', (pattern) => {
    const re = new RegExp(`^(?:${pattern.replace(/^\^|\$$/g, '')})$`);
    for (let i = 0; i < 50; i++) expect(generateFromPattern(pattern)).toMatch(re);
  });
  it('values differ', () => {
    expect(generateFromPattern('[a-z0-9]{15}')).not.toBe(generateFromPattern('[a-z0-9]{15}'));
  });
  it.each(['[a-z', '(ab', '*a', 'a{5,2}'])('refuses %s', (pattern) => expect(() => generateFromPattern(pattern)).toThrow());
});
