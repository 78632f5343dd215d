import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeRequestRecord, writeRequestRecord } from './log-rows.ts';

/** The whole numbers of a 'q' record as the writer thread reads them back: created ms, status, execTime in ns. */
function readBack(created: number, status: number, execTime: number): { created: number; status: number; execTime: number } {
  const buf = Buffer.alloc(512);
  const end = writeRequestRecord(buf, 0, created, status, execTime, 'GET', 'http://h:1/a', undefined, undefined, undefined, undefined, undefined, undefined, undefined);
  const [row] = decodeBatch(buf.toString('utf8', 0, end));
  const data = JSON.parse(row!.data) as { status: number; execTime: number };
  return { created: row!.created, status: data.status, execTime: data.execTime };
}

describe('a request record\'s numbers written as bytes', () => {
  // every length from 1 to 16 digits, each side of a power of ten, odd and even lengths (two digits per step)
  const edges = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 65535, 99999, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 1767261600123, 10 ** 15 - 1, 10 ** 15,
    9 * 10 ** 15 + 1, Number.MAX_SAFE_INTEGER];

  it.each(edges)('%d reads back as itself, in its decimal digits', (n) => {
    const buf = Buffer.alloc(512);
    const end = writeRequestRecord(buf, 0, n, 200, 0, 'GET', 'http://h:1/a', undefined, undefined, undefined, undefined, undefined, undefined, undefined);
    // 'q', then created's digits up to the field's NUL
    expect(buf.toString('latin1', 1, buf.indexOf(0, 1))).toBe(String(n));
    expect(end).toBeGreaterThan(String(n).length);
    expect(readBack(n, 200, 0).created).toBe(n);
  });

  it('created, status and execTime read back as their length-prefixed form gives them, for many values', () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const created = Math.floor(next() * 10 ** Math.floor(next() * 16));
      const status = 100 + Math.floor(next() * 500);
      // ms as the fetch handler measures them (performance.now() differences), written as whole ns
      const execTime = next() * 10 ** Math.floor(next() * 5);
      const got = readBack(created, status, execTime);
      const [expected] = decodeBatch(encodeRequestRecord(created, status, Math.round(execTime * 1e6) / 1e6, 'GET', 'http://h:1/a', undefined, undefined, undefined, undefined, undefined, undefined, undefined));
      expect(got.created).toBe(created);
      expect(got.status).toBe(status);
      expect(got.execTime).toBe((JSON.parse(expected!.data) as { execTime: number }).execTime);
    }
  });

  it('a number that is not a safe whole number is written as its text (a clock set oddly, a negative time)', () => {
    expect(readBack(-5, 200, 0).created).toBe(-5);
    expect(readBack(2 ** 53 + 2, 200, 0).created).toBe(2 ** 53 + 2);
    expect(readBack(1, 200, -0.5).execTime).toBe(-0.5);
  });
});
