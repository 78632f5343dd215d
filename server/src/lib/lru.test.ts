// LruMap: a hit makes the key the most recent (also when it already is: the hot-key path skips the re-insert),
// an insert past capacity evicts the least recent and hands it to onEvict.
import { describe, expect, it } from 'vitest';
import { LruMap } from './lru.ts';

describe('LruMap', () => {
  it('evicts the least recently used, counting hits and repeated hits on the newest key', () => {
    const evicted: string[] = [];
    const m = new LruMap<string, number>(3, (_v, k) => evicted.push(k));
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1); // order b c a
    expect(m.get('a')).toBe(1); // already newest: order unchanged
    m.set('d', 4); // evicts b
    expect(evicted).toEqual(['b']);
    expect(m.get('c')).toBe(3); // order a d c
    expect(m.get('c')).toBe(3);
    m.set('e', 5); // evicts a
    expect(evicted).toEqual(['b', 'a']);
    expect([...m.keys()]).toEqual(['d', 'c', 'e']);
  });

  it('keeps recency right after the newest key is deleted or the map cleared', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.delete('b')).toBe(true);
    m.set('c', 3); // order a c
    expect(m.get('a')).toBe(1); // order c a
    m.set('d', 4); // evicts c
    expect([...m.keys()]).toEqual(['a', 'd']);
    m.clear();
    m.set('x', 1);
    m.set('y', 2);
    expect(m.get('x')).toBe(1); // order y x
    m.set('z', 3); // evicts y
    expect([...m.keys()]).toEqual(['x', 'z']);
  });
});
