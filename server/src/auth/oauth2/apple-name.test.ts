import { describe, expect, it } from 'vitest';
import { keepAppleName, takeAppleName, type AppleNames } from './apple-name.ts';

const names: AppleNames = new Map();

describe('Apple name hand-over', () => {
  it('keeps the first+last name under the code once, for a minute', () => {
    keepAppleName(names, 'code-1', JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' } }), 1000);
    expect(takeAppleName(names, 'code-1', 2000)).toBe('Ada Lovelace');
    expect(takeAppleName(names, 'code-1', 2000)).toBe('');
    keepAppleName(names, 'code-2', JSON.stringify({ name: { firstName: 'Old' } }), 1000);
    expect(takeAppleName(names, 'code-2', 1000 + 61_000)).toBe('');
  });

  it('ignores what is not Apple\'s JSON and caps the length', () => {
    keepAppleName(names, 'code-3', 'not json', 0);
    expect(takeAppleName(names, 'code-3', 0)).toBe('');
    keepAppleName(names, 'code-4', JSON.stringify({ name: { firstName: 'x'.repeat(500) } }), 0);
    expect(takeAppleName(names, 'code-4', 0)).toHaveLength(150);
  });
});
