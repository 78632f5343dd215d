import { describe, expect, it } from 'vitest';
import { countExpandedRecords } from './expand-size.ts';

describe('countExpandedRecords', () => {
  it('counts nested records as JSON writes them: a shared record once per parent', () => {
    const leaf = { id: 'l' };
    const mid = { id: 'm', expand: { a: [leaf, leaf], b: leaf } };
    const items = [{ id: '1', expand: { x: mid } }, { id: '2', expand: { x: [mid, mid] } }, { id: '3' }];
    // item 1: mid + 3 leaves = 4; item 2: 2 × 4 = 8; item 3: none
    expect(countExpandedRecords(items)).toBe(12);
    expect(countExpandedRecords(items, 10)).toBe(11);
  });

  it('stays cheap when the tree it describes is huge (shared levels, memoized)', () => {
    // 30 levels of 10 shared records each: 10^30 nested records as JSON
    let level: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => ({ id: `0-${i}` }));
    for (let d = 1; d < 30; d++) {
      const below = level;
      level = Array.from({ length: 10 }, (_, i) => ({ id: `${d}-${i}`, expand: { friends: below } }));
    }
    expect(countExpandedRecords(level, 1000)).toBe(1001);
  });
});
