import { describe, expect, it } from 'vitest';
import { formatJsonPointer, parseJsonPointer } from './json-pointer.ts';

describe('json pointer', () => {
  it('formats without a leading slash and escapes', () => {
    expect(formatJsonPointer(['collections', 2, 'fields', 4, 'type'])).toBe('collections/2/fields/4/type');
    expect(formatJsonPointer(['a/b', 'c~d'])).toBe('a~1b/c~0d');
  });
  it('parses back', () => {
    expect(parseJsonPointer('a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(parseJsonPointer('/x/0')).toEqual(['x', '0']);
    expect(parseJsonPointer('')).toEqual([]);
  });
});
