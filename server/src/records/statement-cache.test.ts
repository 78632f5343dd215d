import { describe, expect, it } from 'vitest';
import { loadSchema } from '../schema/load.ts';
import { cachedPlan } from './statement-cache.ts';

describe('cachedPlan (a request-free list worked out once)', () => {
  it('builds once per key and schema', () => {
    const schema = loadSchema([]);
    let builds = 0;
    const build = () => ({ n: ++builds });
    expect(cachedPlan(schema, 'list|a', build)).toEqual({ n: 1 });
    expect(cachedPlan(schema, 'list|a', build)).toEqual({ n: 1 });
    expect(cachedPlan(schema, 'list|b', build)).toEqual({ n: 2 });
    // a reloaded schema starts empty
    expect(cachedPlan(loadSchema([]), 'list|a', build)).toEqual({ n: 3 });
  });

  it('keeps nothing when the build throws, so the next ask throws the same way', () => {
    const schema = loadSchema([]);
    let builds = 0;
    const refuse = () => {
      builds++;
      throw new Error('filter is too long');
    };
    expect(() => cachedPlan(schema, 'list|long', refuse)).toThrow('filter is too long');
    expect(() => cachedPlan(schema, 'list|long', refuse)).toThrow('filter is too long');
    expect(builds).toBe(2);
  });
});
