import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonLines } from './json-lines.ts';

describe('readJsonLines', () => {
  it('hands over each whole JSON object line in order, across chunk cuts, and skips anything else', async () => {
    const stream = new PassThrough();
    const got: object[] = [];
    readJsonLines<object>(stream, (msg) => got.push(msg));
    stream.write('{"a":1}\n{"b":');
    stream.write('2}\nwarning: not json\n42\nnull\n{"c"');
    stream.write(':3}\n{"d":4}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    stream.write('\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
  });
});
