import { describe, expect, it } from 'vitest';
import { createRing, createRingWriter, CTL_PUBLISHED_AT, ringMs, ringViews } from './log-ring.ts';

/** A ring whose request thread was last seen busy long ago (as after a quiet spell). */
function quietRing() {
  const ring = ringViews(createRing(4, 4096));
  const writer = createRingWriter(ring);
  const longAgo = ringMs(ring) - 60_000;
  const forget = (): void => void Atomics.store(ring.ctl, CTL_PUBLISHED_AT, longAgo);
  forget();
  const stamped = (): boolean => Atomics.load(ring.ctl, CTL_PUBLISHED_AT) !== longAgo;
  return { ring, writer, forget, stamped };
}

/** One 'q'-like record through reserve/commit, as the request log writes a request. */
function commitOne(writer: ReturnType<typeof createRingWriter>): void {
  const at = writer.reserve(16);
  if (typeof at !== 'number') throw new Error(`no room: ${at}`);
  writer.view.write('q1\0', at, 'latin1');
  writer.commit(at + 3, 0);
}

describe('the request thread stamps its activity in the ring while it appends (the writer judges "quiet" by it)', () => {
  it('the first record of a chunk, then every 8th, stamps the time; the ones between do not', () => {
    const { writer, forget, stamped } = quietRing();
    commitOne(writer);
    expect(stamped()).toBe(true);
    forget();
    for (let i = 2; i <= 8; i++) commitOne(writer);
    expect(stamped()).toBe(false);
    commitOne(writer); // the 9th
    expect(stamped()).toBe(true);
  });

  it('records appended as text stamp it too, counted with the committed ones', () => {
    const { writer, forget, stamped } = quietRing();
    expect(writer.append('e1;0;1:m2:{}', 4)).toBe('ok');
    expect(stamped()).toBe(true);
    forget();
    for (let i = 2; i <= 8; i++) commitOne(writer);
    expect(stamped()).toBe(false);
    expect(writer.append('e1;0;1:m2:{}', 4)).toBe('ok');
    expect(stamped()).toBe(true);
  });

  it('a publish stamps it, and the next chunk counts from its first record again', () => {
    const { writer, forget, stamped } = quietRing();
    for (let i = 1; i <= 3; i++) commitOne(writer);
    forget();
    expect(writer.publish(1)).toEqual({ chunk: 0, count: 3 });
    expect(stamped()).toBe(true);
    forget();
    commitOne(writer);
    expect(stamped()).toBe(true);
  });
});
