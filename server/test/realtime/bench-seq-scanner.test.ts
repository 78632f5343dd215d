// The realtime bench counts lost and duplicated messages by the `"seq":N` it finds in each subscriber's
// bytes (scripts/bench/sse-scan.ts): every message must be found exactly once wherever the reads cut it.
import { describe, expect, it } from 'vitest';
import { SeqScanner } from '../../../scripts/bench/sse-scan.ts';

function message(seq: number, body: string): string {
  return `id:abc123\nevent:feed/*\ndata:{"action":"create","record":{"body":${JSON.stringify(body)},"seq":${seq},"public":true}}\n\n`;
}

/** Feeds `bytes` in pieces cut at `cuts` (as Buffer or plain Uint8Array) and returns what was found. */
function scanCut(bytes: Buffer, cuts: number[], plain: boolean): number[] {
  const found: number[] = [];
  const scanner = new SeqScanner((seq) => found.push(seq));
  let at = 0;
  for (const end of [...cuts, bytes.length]) {
    const piece = bytes.subarray(at, end);
    scanner.scan(plain ? new Uint8Array(piece) : piece);
    at = end;
  }
  return found;
}

describe('bench SeqScanner', () => {
  const seqs = [0, 7, 42, 1234, 99999];
  const bodies = ['', 'x'.repeat(200), '"seq"', '"se', 'q":', '"seq":'];
  const text = seqs.map((s, i) => message(s, bodies[i % bodies.length]!)).join('');
  const bytes = Buffer.from(text);

  it('finds each seq once with every single cut point', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(scanCut(bytes, [cut], cut % 2 === 0)).toEqual(seqs);
    }
  });

  it('finds each seq once when fed one byte at a time', () => {
    expect(scanCut(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1), false)).toEqual(seqs);
  });

  it('finds a match that starts at the closing quote of a "seq" without a colon, across a cut', () => {
    const found: number[] = [];
    const scanner = new SeqScanner((seq) => found.push(seq));
    scanner.scan(Buffer.from('{"a":"seq"'));
    scanner.scan(Buffer.from('seq":5,'));
    expect(found).toEqual([5]);
  });

  it('reports a number cut right after its last digit once the next read starts', () => {
    const found: number[] = [];
    const scanner = new SeqScanner((seq) => found.push(seq));
    scanner.scan(Buffer.from('"seq":12'));
    expect(found).toEqual([]);
    scanner.scan(Buffer.from('3}'));
    expect(found).toEqual([123]);
  });
});
