import { describe, expect, it } from 'vitest';
import { castToUniqueStrings } from './coerce.ts';

describe('castToUniqueStrings (PocketBase list.ToUniqueStringSlice)', () => {
  it.each([
    [null, []],
    ['', []],
    ['a', ['a']],
    ['a,b', ['a,b']],
    ['["a","b","a"]', ['a', 'b']],
    ['[1,2]', ['[1,2]']],
    [['a', '', 'a', 'b'], ['a', 'b']],
    [[1, true], ['1', 'true']],
    [5, ['5']],
    [{ a: 1 }, []],
  ])('%j → %j', (raw, want) => expect(castToUniqueStrings(raw)).toEqual(want));
});
