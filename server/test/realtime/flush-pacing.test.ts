// The broker's flush passes (broker.ts queueFlush): a pass whose writes are slow holds the next one back by
// as long as it took, so a server short of CPU puts more messages in each write instead of writing each
// event on its own; and a stream's own pull never writes outside a pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueFlush } from '../../src/realtime/broker.ts';
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

/** A client as the flush pass sees it: each write takes `ms` and is logged with its start time. */
function slowClient(ms: number, starts: number[]): RealtimeClient {
  return {
    deliver() {
      starts.push(performance.now());
      busy(ms);
      return true;
    },
  } as Partial<RealtimeClient> as RealtimeClient;
}

describe('flush passes', () => {
  it('hold the next pass back by as long as a slow pass took', async () => {
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
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(79);
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
    expect(performance.now() - starts[0]!).toBeGreaterThanOrEqual(59);
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
