// The broker's flush passes (broker.ts queueFlush): a pass whose writes are slow holds the next one back by
// half as long as it took, so a server short of CPU puts more messages in each write instead of writing each
// event on its own; a stream's own pull never writes outside a pass; a pass's bytes are bounded; and a
// stream given a socket writer (Bun.serve's direct streams) writes the shared frames through it, skipping
// a connection that is backed up until it drains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directSourceOf, type EventStreamWriter } from '../../src/lib/sse.ts';
import { queueFlush, realtimeStats } from '../../src/realtime/broker.ts';
import type { Broker, RealtimeClient } from '../../src/realtime/model.ts';
import { openRealtimeStream } from '../../src/realtime/stream.ts';
import { startRealtimeWorld, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;
let broker: Broker;

beforeAll(async () => {
  w = await startRealtimeWorld();
  broker = w.t.galley.core.realtime;
});
afterAll(async () => {
  await w?.t.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until no pass is scheduled, timed or held back (on a loaded machine a pass may be held for a while). */
async function idle(): Promise<void> {
  const f = broker.flush;
  while (f.measuring || f.scheduled || f.nextAt > performance.now()) await sleep(5);
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a pass whose writes take this long
  }
}

/** A client as the flush pass sees it: each write takes `ms`, is logged with its start time, and reports `bytes`. */
function slowClient(ms: number, starts: number[], bytes = 100): RealtimeClient {
  return {
    deliver() {
      starts.push(performance.now());
      busy(ms);
      return bytes;
    },
  } as Partial<RealtimeClient> as RealtimeClient;
}

describe('flush passes', () => {
  it('hold the next pass back by half as long as a slow pass took', async () => {
    await idle();
    const starts: number[] = [];
    const client = slowClient(40, starts);
    queueFlush(broker, client);
    await Promise.resolve();
    // the first pass ran in a microtask of this task; more messages queue right after it
    expect(starts).toHaveLength(1);
    queueFlush(broker, client);
    while (starts.length < 2) await sleep(5);
    // at 100k writes per second one write alone would allow the next pass after 0.01 ms
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(59);
  });

  it("a stream's messages are written by passes only, many queued at once as one chunk", async () => {
    const stream = openRealtimeStream(w.t.galley.core, '');
    const reader = stream.response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('event:PB_CONNECT');
    const client = broker.clients.get(stream.clientId)!;
    await idle(); // PB_CONNECT's pass is timed and over
    // while a slow pass is timed, three messages queue on the client; the next pass writes them together
    const starts: number[] = [];
    queueFlush(broker, slowClient(30, starts));
    await Promise.resolve();
    expect(starts).toHaveLength(1);
    const frame = (n: number) => new TextEncoder().encode(`event:x\ndata:${n}\n\n`);
    const pending = reader.read();
    client.push(frame(1));
    client.push(frame(2));
    client.push(frame(3));
    const chunk = new TextDecoder().decode((await pending).value);
    expect(chunk.match(/event:x/g)).toHaveLength(3);
    expect(performance.now() - starts[0]!).toBeGreaterThanOrEqual(44);
    client.close();
    await reader.cancel();
  });

  it('writes at most 16 KiB to a client in one pass; the rest follows, in order, in the next', async () => {
    const stream = openRealtimeStream(w.t.galley.core, '');
    const reader = stream.response.body!.getReader();
    await reader.read(); // PB_CONNECT
    await idle();
    const client = broker.clients.get(stream.clientId)!;
    const frame = (n: number) => new TextEncoder().encode(`event:x\ndata:${String(n).padStart(4, '0')}${'y'.repeat(1000)}\n\n`);
    for (let n = 0; n < 100; n++) client.push(frame(n));
    const sizes: number[] = [];
    let text = '';
    while ((text.match(/event:x/g) ?? []).length < 100) {
      const { value } = await reader.read();
      sizes.push(value!.byteLength);
      text += new TextDecoder().decode(value);
    }
    const one = frame(0).byteLength + `id:${stream.clientId}\n`.length;
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes) expect(size).toBeLessThan(16 * 1024 + one);
    expect([...text.matchAll(/data:(\d{4})/g)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 100 }, (_, n) => n));
    client.close();
    await reader.cancel();
  });
});

describe('a pass', () => {
  it('writes at most 16 MiB in all; the clients it did not reach go first in the next pass', async () => {
    await idle();
    const order: string[] = [];
    const client = (name: string) => ({ closed: false, deliver: () => (order.push(name), 6 * 1024 * 1024) }) as Partial<RealtimeClient> as RealtimeClient;
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(client);
    for (const x of [a, b, c, d]) queueFlush(broker, x!);
    await Promise.resolve();
    // 6 + 6 + 6 MiB: the third write passes the bound, the fourth client waits
    expect(order).toEqual(['a', 'b', 'c']);
    queueFlush(broker, e!);
    while (order.length < 5) await sleep(5);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('writes a client queued many times once, and skips one closed since it was queued', async () => {
    await idle();
    const order: string[] = [];
    const client = (name: string) => ({ closed: false, queued: false, deliver: () => (order.push(name), 10) }) as Partial<RealtimeClient> as RealtimeClient;
    const [a, b, c] = ['a', 'b', 'c'].map(client);
    for (const x of [a, b, a, c, a, b]) queueFlush(broker, x!);
    b!.closed = true;
    await Promise.resolve();
    expect(order).toEqual(['a', 'c']);
    expect([a, b, c].map((x) => x!.queued)).toEqual([false, false, false]);
    // written and unflagged: the next queueFlush puts it in a later pass
    queueFlush(broker, a!);
    while (order.length < 3) await sleep(5);
    expect(order).toEqual(['a', 'c', 'a']);
  });
});

/** A socket writer that logs what it is given; `backUp()` makes its next write answer with a pending promise. */
function fakeWriter() {
  const log: string[] = [];
  let pending: { promise: Promise<void>; resolve: () => void } | undefined;
  const decoder = new TextDecoder();
  const writer: EventStreamWriter = {
    write(chunk) {
      log.push(decoder.decode(chunk));
      return pending?.promise;
    },
    flush: () => void log.push('flush'),
    close: () => void log.push('close'),
  };
  return {
    writer,
    log,
    backUp() {
      let resolve!: () => void;
      pending = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    },
    drain() {
      const p = pending;
      pending = undefined;
      p?.resolve();
    },
  };
}

describe('a stream with a socket writer', () => {
  it('writes what a pass has for a client in one write (id line + shared frame per message), then flushes', async () => {
    const stream = openRealtimeStream(w.t.galley.core, '');
    const out = fakeWriter();
    directSourceOf(stream.response.body)!.attach(out.writer);
    const id = `id:${stream.clientId}\n`;
    while (!out.log.includes('flush')) await sleep(5);
    expect(out.log[0]).toMatch(new RegExp(`^${id}event:PB_CONNECT\ndata:`));
    expect(out.log[1]).toBe('flush');
    await idle();
    const client = broker.clients.get(stream.clientId)!;
    const frame = new TextEncoder().encode('event:x\ndata:1\n\n');
    client.push(frame);
    client.push(new TextEncoder().encode('event:y\ndata:2\n\n'));
    while (out.log.length < 4) await sleep(5);
    expect(out.log.slice(2)).toEqual([`${id}event:x\ndata:1\n\n${id}event:y\ndata:2\n\n`, 'flush']);
    // the write is built in a buffer the next client's write reuses: the frames themselves are untouched
    expect(new TextDecoder().decode(frame)).toBe('event:x\ndata:1\n\n');
    client.close();
    expect(out.log.at(-1)).toBe('close');
    expect(broker.clients.has(stream.clientId)).toBe(false);
  });

  it('writes a message too large for the scratch buffer as its id line and frame apart', async () => {
    const stream = openRealtimeStream(w.t.galley.core, '');
    const out = fakeWriter();
    directSourceOf(stream.response.body)!.attach(out.writer);
    const id = `id:${stream.clientId}\n`;
    while (!out.log.includes('flush')) await sleep(5);
    await idle();
    const client = broker.clients.get(stream.clientId)!;
    const big = `event:x\ndata:${'a'.repeat(70 * 1024)}\n\n`;
    client.push(new TextEncoder().encode(big));
    while (out.log.length < 5) await sleep(5);
    expect(out.log.slice(2)).toEqual([id, big, 'flush']);
    client.close();
  });

  it('writes nothing more to a backed-up connection until it drains, then the rest in order', async () => {
    const stream = openRealtimeStream(w.t.galley.core, '');
    const out = fakeWriter();
    directSourceOf(stream.response.body)!.attach(out.writer);
    while (!out.log.includes('flush')) await sleep(5);
    await idle();
    const client = broker.clients.get(stream.clientId)!;
    const frame = (n: number) => new TextEncoder().encode(`event:x\ndata:${n}\n\n`);
    const sent = () => out.log.flatMap((l) => [...l.matchAll(/event:x\ndata:(\d)/g)].map((m) => m[1]));
    out.backUp();
    client.push(frame(1));
    while (!out.log.some((l) => l.includes('data:1'))) await sleep(5);
    client.push(frame(2));
    client.push(frame(3));
    await sleep(30);
    await idle();
    // the connection is backed up: 2 and 3 wait in the client's queue
    expect(sent()).toEqual(['1']);
    out.drain();
    while (!out.log.some((l) => l.includes('data:3'))) await sleep(5);
    expect(sent()).toEqual(['1', '2', '3']);
    client.close();
  });

  it('a connection that goes away (detach) forgets its client', async () => {
    const before = realtimeStats(w.t.galley.core).clients;
    const stream = openRealtimeStream(w.t.galley.core, '');
    const out = fakeWriter();
    const source = directSourceOf(stream.response.body)!;
    source.attach(out.writer);
    expect(realtimeStats(w.t.galley.core).clients).toBe(before + 1);
    source.detach();
    expect(realtimeStats(w.t.galley.core).clients).toBe(before);
    expect(broker.clients.get(stream.clientId)?.push(new Uint8Array(1)) ?? false).toBe(false);
  });
});
