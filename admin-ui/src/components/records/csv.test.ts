import { describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from './csv.ts';

describe('csv', () => {
  it('writes cells that need it quoted, objects as JSON, and reads them back', () => {
    const rows = [
      ['id', 'name', 'meta', 'empty'],
      ['a1', 'comma, "quote"', { x: [1, 2] }, null],
      ['a2', 'line\nbreak', ' padded ', ''],
    ];
    const text = rows.map(csvLine).join('');
    expect(text.split('\r\n')[1]).toBe('a1,"comma, ""quote""","{""x"":[1,2]}",');
    expect(parseCsv(text)).toEqual([
      ['id', 'name', 'meta', 'empty'],
      ['a1', 'comma, "quote"', '{"x":[1,2]}', ''],
      ['a2', 'line\nbreak', ' padded ', ''],
    ]);
  });

  it('reads a byte-order mark, LF or CRLF lines and a last line without a break', () => {
    expect(parseCsv('\ufeffa,b\nc,d\r\ne,f')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });

  it('guards formula-like text with an apostrophe and reads every value back as it was', () => {
    const values = ['=1+1', '+x', '-y', '@z', '\tt', "'=quoted", "''@", "'plain", 'a=b', -5];
    const text = csvLine(values);
    expect(text).toBe(`'=1+1,'+x,'-y,'@z,'\tt,''=quoted,'''@,'plain,a=b,-5\r\n`);
    expect(parseCsv(text)).toEqual([values.map(String)]);
  });

  it('refuses a quote that is never closed', () => {
    expect(() => parseCsv('a,"b\n')).toThrow('ends inside a quoted cell');
  });
});
