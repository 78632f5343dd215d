// Realtime over a real socket (galley.listen: Bun.serve under Bun, node:http under Node): a quiet stream
// outlives Bun's 10 s idle cut and any socket timeout, a client that leaves is forgotten, close() ends streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeStats } from '../../src/realtime/broker.ts';
import { readFrames, type SseFrame } from './sse-client.ts';
import { startRealtimeWorld, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;
let url = '';

beforeAll(async () => {
  w = await startRealtimeWorld();
  ({ url } = await w.t.galley.listen('127.0.0.1:0'));
});
afterAll(async () => {
  await w?.t.close();
});

interface SocketClient {
  clientId: string;
  frames: SseFrame[];
  ended: Promise<void>;
  next(pred: (f: SseFrame) => boolean): Promise<SseFrame>;
  abort(): void;
}

async function connectSocket(): Promise<SocketClient> {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/realtime`, { signal: ctl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const frames: SseFrame[] = [];
  let wake: Array<() => void> = [];
  const { ended } = readFrames(res.body!, frames, () => wake.splice(0).forEach((f) => f()));
  let done = false;
  void ended.then(() => (done = true));
  const next = async (pred: (f: SseFrame) => boolean) => {
    for (;;) {
      const hit = frames.find(pred);
      if (hit) return hit;
      if (done) throw new Error(`stream ended; frames: ${frames.map((f) => f.event).join(',')}`);
      await new Promise<void>((r) => wake.push(r));
    }
  };
  const connect = await next((f) => f.event === 'PB_CONNECT');
  return { clientId: connect.id, frames, ended, next, abort: () => ctl.abort() };
}

async function subscribe(clientId: string, subscriptions: string[]): Promise<number> {
  const res = await fetch(`${url}/api/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, subscriptions }),
  });
  return res.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const QUIET_MS = 16_000;

describe('realtime over a socket', () => {
  // 16 s: past Bun's 10 s idle cut (checked on a 4 s tick, so it lands by 14 s); node:http has no timeout that
  // short for a response in flight (keep-alive's 5 s is between requests). Each second here is CI time twice.
  it('keeps a quiet stream open past Bun\'s idle cut and delivers on it afterwards', async () => {
    const c = await connectSocket();
    expect(await subscribe(c.clientId, ['posts/*'])).toBe(204);
    let endedEarly = false;
    void c.ended.then(() => (endedEarly = true));
    await sleep(QUIET_MS);
    expect(endedEarly).toBe(false);
    const p = await w.create('posts', { title: 'after the quiet', status: 'published', author: w.alice.id });
    const frame = await c.next((f) => f.event === 'posts/*');
    expect(frame.id).toBe(c.clientId);
    expect(JSON.parse(frame.data)).toMatchObject({ action: 'create', record: { id: p.id, title: 'after the quiet' } });
    c.abort();
  }, 60_000);

  it('forgets a client whose connection goes away', async () => {
    const c = await connectSocket();
    expect(await subscribe(c.clientId, ['posts/*'])).toBe(204);
    expect(realtimeStats(w.t.galley.core).clients).toBeGreaterThan(0);
    c.abort();
    while (realtimeStats(w.t.galley.core).clients > 0) await sleep(20);
    expect(realtimeStats(w.t.galley.core)).toMatchObject({ clients: 0, subscriptions: 0 });
  });

  it('close() ends open streams instead of waiting for them', async () => {
    const other = await startRealtimeWorld();
    const { url: otherUrl } = await other.t.galley.listen('127.0.0.1:0');
    const res = await fetch(`${otherUrl}/api/realtime`);
    const frames: SseFrame[] = [];
    const { ended } = readFrames(res.body!, frames, () => undefined);
    while (frames.length === 0) await sleep(10);
    await other.t.close();
    await ended;
    expect(frames.map((f) => f.event)).toEqual(['PB_CONNECT']);
  });
});
