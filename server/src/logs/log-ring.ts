/**
 * The log batches' way to the writer thread: chunks of one SharedArrayBuffer. The request thread appends each
 * record (log-rows.ts' text of it) into its current chunk as UTF-8 (one encodeInto, no object kept per request)
 * and publishes the chunk as a batch (its length and sequence number, then a futex wake of the writer); the
 * writer reads published chunks in sequence order, writes each in one transaction and frees it. Nothing is
 * posted to the writer: a postMessage of a batch string cost the request thread ~2 µs per entry here (the
 * string's flattening and copy, and stalls while the writer was busy), the ring a few ns per byte.
 *
 * Layout: Int32 control words (see the indexes below, then per chunk: state, byte length, sequence number),
 * then the chunks' bytes. The request thread takes the lowest free chunk, so a quiet server touches one or two
 * chunks' pages only. Single producer (the request thread), single consumer (the writer or the inline fallback).
 */

/** control word: set once the writer should stop after the published chunks */
export const CTL_CLOSE = 0;
/** control word: sequence number of the last published chunk (the writer waits on it) */
export const CTL_PUBLISHED = 1;
/** control word: sequence number of the last chunk the writer finished (written or failed) */
export const CTL_DONE = 2;
/** control word: 1 while the writer waits to be woken (it was idle a while), 0 while it polls */
export const CTL_SLEEPING = 3;
/** how often a writer that wrote recently looks for the next batch (no wake needed) */
export const WRITER_POLL_MS = 10;
/** control word: raised by the request thread when it wants every staged batch in `_logs` (a read, a flush) */
export const CTL_SETTLE_ASKED = 4;
/** control word: the last CTL_SETTLE_ASKED the writer answered (nothing staged was left then) */
export const CTL_SETTLED = 5;
/** control word: staged entries below this level are dropped when moved into `_logs` (the settings' minLevel) */
export const CTL_MIN_LEVEL = 6;
/**
 * control word: when the request thread was last busy (ringMs): stamped at each publish and at every
 * ACTIVE_EVERY-th record appended. The writer judges "requests keep coming" by it, not by when it got to a batch
 * itself (on a loaded box it may not run for 100s of ms), nor by publish times alone: at 2-5k requests/s (batches
 * 40-100 ms apart) any stall of the request thread made a publish gap over the writer's 100 ms, and on the loaded
 * 2-core box it then moved 80-100 % of the staged batches into `_logs` during the load (counted in a scratch build).
 */
export const CTL_PUBLISHED_AT = 7;
/** records between two CTL_PUBLISHED_AT stamps: a clock read per record (~45 ns) would cost more than the stamp is worth */
const ACTIVE_EVERY = 8;
/** a writer idle this long sleeps until woken */
export const WRITER_IDLE_MS = 1000;
const CTL_WORDS = 8;
const CHUNK_WORDS = 4;

export const CHUNK_FREE = 0;
export const CHUNK_PUBLISHED = 1;

export interface RingInit {
  buffer: SharedArrayBuffer;
  /** Date.now() when the ring was made: the origin of ringMs */
  epochMs: number;
  chunks: number;
  chunkBytes: number;
}

export interface RingViews extends RingInit {
  ctl: Int32Array;
  bytes: Uint8Array;
  dataStart: number;
}

export function createRing(chunks: number, chunkBytes: number): RingInit {
  const dataStart = (CTL_WORDS + CHUNK_WORDS * chunks) * 4;
  return { buffer: new SharedArrayBuffer(dataStart + chunks * chunkBytes), epochMs: Date.now(), chunks, chunkBytes };
}

export function ringViews(init: RingInit): RingViews {
  const words = CTL_WORDS + CHUNK_WORDS * init.chunks;
  return { ...init, ctl: new Int32Array(init.buffer, 0, words), bytes: new Uint8Array(init.buffer), dataStart: words * 4 };
}

export const stateAt = (chunk: number): number => CTL_WORDS + CHUNK_WORDS * chunk;
export const lengthAt = (chunk: number): number => CTL_WORDS + CHUNK_WORDS * chunk + 1;
export const seqAt = (chunk: number): number => CTL_WORDS + CHUNK_WORDS * chunk + 2;
/** when the chunk was published (ringMs) */
export const publishedAtOf = (chunk: number): number => CTL_WORDS + CHUNK_WORDS * chunk + 3;

/** ms since the ring was made, as an Int32 (it wraps after 24 days: compare two with msBetween) */
export const ringMs = (ring: RingInit): number => (Date.now() - ring.epochMs) | 0;
/** `later - earlier` of two ringMs values, right across a wrap */
export const msBetween = (earlier: number, later: number): number => (later - earlier) | 0;

const decoder = new TextDecoder();

/** The writer's wait for a batch after `published`: polling while it was busy lately, else asleep until woken. */
export function waitForBatch(ring: RingViews, published: number, idleSinceMs: number): void {
  if (idleSinceMs < WRITER_IDLE_MS) {
    Atomics.wait(ring.ctl, CTL_PUBLISHED, published, WRITER_POLL_MS);
    return;
  }
  Atomics.store(ring.ctl, CTL_SLEEPING, 1);
  // published meanwhile (before the sleeping word was seen): no wait
  if (Atomics.load(ring.ctl, CTL_PUBLISHED) === published) Atomics.wait(ring.ctl, CTL_PUBLISHED, published, WRITER_IDLE_MS);
  Atomics.store(ring.ctl, CTL_SLEEPING, 0);
}

/** A published chunk's batch text (log-rows.ts decodeBatch reads it). */
export function readChunk(ring: RingViews, chunk: number): string {
  const start = ring.dataStart + chunk * ring.chunkBytes;
  return decoder.decode(ring.bytes.subarray(start, start + ring.ctl[lengthAt(chunk)]!));
}

/** A published chunk's bytes, copied (a staged batch keeps them as they are). */
export function copyChunk(ring: RingViews, chunk: number): Buffer {
  const start = ring.dataStart + chunk * ring.chunkBytes;
  return Buffer.from(ring.bytes.subarray(start, start + ring.ctl[lengthAt(chunk)]!));
}

/** The published chunk holding batch `seq`, or -1. */
export function findChunk(ring: RingViews, seq: number): number {
  for (let i = 0; i < ring.chunks; i++) {
    if (Atomics.load(ring.ctl, stateAt(i)) === CHUNK_PUBLISHED && ring.ctl[seqAt(i)] === seq) return i;
  }
  return -1;
}

/** Hand a chunk back to the request thread. */
export function freeChunk(ring: RingViews, chunk: number): void {
  Atomics.store(ring.ctl, stateAt(chunk), CHUNK_FREE);
}

/** 'chunk-full': publish the chunk being filled and append again; 'full': no chunk is free (the writer is behind); 'oversized': larger than a chunk */
export type AppendResult = 'ok' | 'chunk-full' | 'full' | 'oversized';

/** The request thread's side: the chunk being filled, its records' starts and levels (for trim). */
export interface RingWriter {
  /** Append one record's text to the chunk being filled (taking a free one if none is). */
  append(text: string, level: number): AppendResult;
  /**
   * Room for a record of at most `maxBytes` in the chunk being filled: its offset in `view`, or 'chunk-full',
   * 'full' or 'oversized' as append answers. Write the record into `view`, then commit its end.
   */
  reserve(maxBytes: number): number | Exclude<AppendResult, 'ok'>;
  /** The chunk being filled (valid after a reserve that gave an offset). */
  readonly view: Buffer;
  commit(end: number, level: number): void;
  /** Records in the chunk being filled. */
  readonly count: number;
  /** Publish the chunk being filled as batch `seq`; returns its chunk index and record count, or undefined if empty. */
  publish(seq: number): { chunk: number; count: number } | undefined;
  /** Keep only the records of the unpublished chunk whose level `keep` accepts; returns how many are kept. */
  filter(keep: (level: number) => boolean): number;
  /** Tell the writer to stop once it has written every published chunk. */
  close(): void;
}

export function createRingWriter(ring: RingViews): RingWriter {
  const { ctl, dataStart, chunkBytes, chunks } = ring;
  /** one view per chunk, made once (Buffer's write takes an offset: no view per record) */
  const views = Array.from({ length: chunks }, (_, i) => Buffer.from(ring.buffer, dataStart + i * chunkBytes, chunkBytes));
  let current = -1;
  let used = 0;
  let count = 0;
  let starts: number[] = [];
  let levels: number[] = [];

  const acquire = (): boolean => {
    for (let i = 0; i < chunks; i++) {
      if (Atomics.load(ctl, stateAt(i)) === CHUNK_FREE) {
        current = i;
        used = 0;
        count = 0;
        starts = [];
        levels = [];
        return true;
      }
    }
    return false;
  };

  const writer: RingWriter = {
    append(text, level) {
      if (current < 0 && !acquire()) return 'full';
      if (used + 4 > chunkBytes) return 'chunk-full';
      // UTF-8, whole characters only: what stopped short of the last 3 bytes may not have fit
      const written = views[current]!.write(text, used);
      if (written > chunkBytes - used - 4) {
        if (count > 0) return 'chunk-full';
        if (Buffer.byteLength(text) > chunkBytes) return 'oversized';
      }
      starts.push(used);
      levels.push(level);
      used += written;
      if (++count % ACTIVE_EVERY === 1) Atomics.store(ctl, CTL_PUBLISHED_AT, ringMs(ring));
      return 'ok';
    },
    reserve(maxBytes) {
      if (current < 0 && !acquire()) return 'full';
      if (used + maxBytes <= chunkBytes) return used;
      return count > 0 ? 'chunk-full' : 'oversized';
    },
    get view() {
      return views[current]!;
    },
    commit(end, level) {
      starts.push(used);
      levels.push(level);
      used = end;
      if (++count % ACTIVE_EVERY === 1) Atomics.store(ctl, CTL_PUBLISHED_AT, ringMs(ring));
    },
    get count() {
      return count;
    },
    publish(seq) {
      if (current < 0 || count === 0) return undefined;
      const chunk = current;
      const published = { chunk, count };
      const at = ringMs(ring);
      ctl[lengthAt(chunk)] = used;
      ctl[seqAt(chunk)] = seq;
      ctl[publishedAtOf(chunk)] = at;
      Atomics.store(ctl, CTL_PUBLISHED_AT, at);
      Atomics.store(ctl, stateAt(chunk), CHUNK_PUBLISHED);
      Atomics.store(ctl, CTL_PUBLISHED, seq);
      // a busy writer looks again within WRITER_POLL_MS by itself; a wake costs this thread a syscall and more
      if (Atomics.load(ctl, CTL_SLEEPING) === 1) Atomics.notify(ctl, CTL_PUBLISHED);
      current = -1;
      used = 0;
      count = 0;
      return published;
    },
    filter(keep) {
      if (current < 0 || count === 0) return 0;
      const view = views[current]!;
      let to = 0;
      const keptStarts: number[] = [];
      const keptLevels: number[] = [];
      for (let i = 0; i < count; i++) {
        if (!keep(levels[i]!)) continue;
        const from = starts[i]!;
        const end = i + 1 < count ? starts[i + 1]! : used;
        if (from !== to) view.copyWithin(to, from, end);
        keptStarts.push(to);
        keptLevels.push(levels[i]!);
        to += end - from;
      }
      starts = keptStarts;
      levels = keptLevels;
      count = keptStarts.length;
      used = to;
      return count;
    },
    close() {
      Atomics.store(ctl, CTL_CLOSE, 1);
      Atomics.notify(ctl, CTL_PUBLISHED);
    },
  };
  return writer;
}
