/**
 * A raw realtime client for tests: opens GET /api/realtime (through `galley.handle`, or over a socket with
 * fetch), parses the SSE frames exactly as they arrive, and subscribes with POST /api/realtime.
 */
import { sendToClient, whenRealtimeIdle } from '../../src/realtime/broker.ts';
import type { Galley } from '../../src/index.ts';
import { callGalley, type TestResponse } from '../helpers/test-galley.ts';

export interface SseFrame {
  id: string;
  event: string;
  data: string;
  /** the frame's text as sent */
  raw: string;
}

export interface RawClient {
  clientId: string;
  response: Response;
  frames: SseFrame[];
  /** resolves when the stream ends */
  ended: Promise<void>;
  /** frames whose event is not PB_CONNECT, parsed: [topic, data] */
  events(): Array<{ topic: string; data: any }>;
  /** wait until a frame matching `pred` has arrived (after `from` frames) */
  waitFor(pred: (f: SseFrame) => boolean, from?: number): Promise<SseFrame>;
  subscribe(topics: string[], opts?: { auth?: string | null; ip?: string }): Promise<TestResponse>;
  /** sends a marker through the broker and waits for it: every message queued before it has arrived */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const SYNC_TOPIC = 'test-sync';

export function parseFrame(raw: string): SseFrame {
  const frame: SseFrame = { id: '', event: '', data: '', raw };
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    const at = line.indexOf(':');
    const name = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1);
    if (name === 'id') frame.id = value;
    else if (name === 'event') frame.event = value;
    else if (name === 'data') data.push(value);
  }
  frame.data = data.join('\n');
  return frame;
}

/** Read frames from an SSE body into `frames`, calling `onFrame` after each. */
export function readFrames(body: ReadableStream<Uint8Array>, frames: SseFrame[], onFrame: () => void): { ended: Promise<void>; cancel: () => Promise<void> } {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
          onFrame();
        }
      }
    } catch {
      // cancelled
    }
    onFrame();
  })();
  return { ended, cancel: () => reader.cancel().catch(() => undefined) };
}

/** Open a stream through `galley.handle` (no socket); `ip` is the peer address the stream appears to come from. */
export async function connectRaw(galley: Galley, opts: { ip?: string } = {}): Promise<RawClient> {
  const response = await galley.handle(new Request('http://127.0.0.1:8090/api/realtime'), opts.ip ? { remoteAddress: opts.ip } : undefined);
  if (response.status !== 200 || !response.body) throw new Error(`connect failed: ${response.status} ${await response.text()}`);
  const frames: SseFrame[] = [];
  let wake: (() => void)[] = [];
  const reading = readFrames(response.body, frames, () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
  });
  let done = false;
  void reading.ended.then(() => (done = true));
  const waitFor = async (pred: (f: SseFrame) => boolean, from = 0): Promise<SseFrame> => {
    for (;;) {
      const hit = frames.slice(from).find(pred);
      if (hit) return hit;
      if (done) throw new Error(`stream ended before the frame arrived; got ${JSON.stringify(frames.map((f) => f.event))}`);
      await new Promise<void>((resolve) => wake.push(resolve));
    }
  };
  const connect = await waitFor((f) => f.event === 'PB_CONNECT');
  const clientId = connect.id;
  let topics: string[] = [];
  let syncs = 0;
  const client: RawClient = {
    clientId,
    response,
    frames,
    ended: reading.ended,
    events: () =>
      frames.filter((f) => f.event !== 'PB_CONNECT' && f.event !== SYNC_TOPIC).map((f) => ({ topic: f.event, data: JSON.parse(f.data) })),
    waitFor,
    async subscribe(list, o = {}) {
      topics = list;
      return callGalley(galley, 'POST', '/api/realtime', {
        body: { clientId, subscriptions: [...list, SYNC_TOPIC] },
        auth: o.auth ?? null,
        ip: o.ip ?? opts.ip,
      });
    },
    async sync() {
      await whenRealtimeIdle(galley.core);
      const n = ++syncs;
      if (!sendToClient(galley.core, clientId, SYNC_TOPIC, { n })) throw new Error(`sync: client ${clientId} not subscribed (topics ${topics.join(',')})`);
      await waitFor((f) => f.event === SYNC_TOPIC && JSON.parse(f.data).n === n);
    },
    async close() {
      await reading.cancel();
      await reading.ended;
    },
  };
  return client;
}
