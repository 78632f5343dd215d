import { describe, expect, it } from 'vitest';
import { containsUnescaped, escapeLikeWildcards, formatLikeValue, wrapLikeValue } from './like.ts';

describe('LIKE literal handling', () => {
  it.each([
    ['abc', '%abc%'],
    ['', '%%'],
    ['a_b', '%a\\_b%'],
    ['a\\b', '%a\\\\b%'],
    ['a\\_b', '%a\\_b%'],
    // wire: of two adjacent wildcards PocketBase escapes only the later one
    ['a__', '%a_\\_%'],
    ['_', '%\\_%'],
    // an unescaped % means the user wrote the pattern
    ['a%', 'a%'],
    ['%a_', '%a_'],
    ['a\\%', '%a\\%%'],
    ['a\\\\%', 'a\\\\%'],
  ])('%j → %j', (value, pattern) => {
    expect(wrapLikeValue(value)).toBe(pattern);
  });

  it('formats non-text values as Go cast.ToString does', () => {
    expect(formatLikeValue(12)).toBe('12');
    expect(formatLikeValue(1.5)).toBe('1.5');
    expect(formatLikeValue(1e21)).toBe('1000000000000000000000');
    expect(formatLikeValue(true)).toBe('true');
    expect(formatLikeValue(null)).toBe('');
    expect(wrapLikeValue(5)).toBe('%5%');
  });

  it('finds unescaped characters', () => {
    expect(containsUnescaped('a%', '%')).toBe(true);
    expect(containsUnescaped('a\\%', '%')).toBe(false);
    expect(containsUnescaped('a\\\\%', '%')).toBe(true);
    // wire: the `_` right before the escaped backslash is skipped, as PocketBase does
    expect(escapeLikeWildcards('%_\\')).toBe('\\%_\\\\');
  });
});
