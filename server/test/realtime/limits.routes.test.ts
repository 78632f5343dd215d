// Galley's own realtime caps (settings `realtime`): the bytes of one client's subscription set (400 on the
// POST) and open streams per client IP (429 on the GET, the IP as resolved through trustedProxy), over real
// sockets; a closed stream gives its slot back; the settings round-trip through the official SDK. The peer
// address those caps use costs a syscall per read: read once per request, never per event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stream {
  status: number;
  body: any;
  clientId: string;
  abort(): void;
}

/** GET /api/realtime over the socket: a 200 waits for PB_CONNECT, anything else is read as JSON. */
async function openStream(headers: Record<string, string> = {}): Promise<Stream> {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/realtime`, { signal: ctl.signal, headers });
  if (res.status !== 200) return { status: res.status, body: await res.json(), clientId: '', abort: () => undefined };
  const frames: SseFrame[] = [];
  let wake: Array<() => void> = [];
  readFrames(res.body!, frames, () => wake.splice(0).forEach((f) => f()));
  while (!frames.some((f) => f.event === 'PB_CONNECT')) await new Promise<void>((r) => wake.push(r));
  return { status: 200, body: undefined, clientId: frames[0]!.id, abort: () => ctl.abort() };
}

async function subscribe(clientId: string, subscriptions: string[], headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/realtime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ clientId, subscriptions }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function patchRealtime(realtime: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await w.t.call('PATCH', '/api/settings', { auth: w.root, body: { realtime, ...extra } });
  expect(res.status, res.text).toBe(200);
}

async function waitForClients(n: number) {
  while (realtimeStats(w.t.galley.core).clients !== n) await sleep(10);
}

describe('realtime settings', () => {
  it('round-trip through the SDK settings service, defaults first, bad values refused per field', async () => {
    const pb = new PocketBase(url);
    pb.authStore.save(w.root);
    const defaults = await pb.settings.getAll();
    expect(defaults['realtime']).toEqual({ maxSubscriptionBytes: 262144, maxStreamsPerIp: 50 });
    const saved = await pb.settings.update({ realtime: { maxStreamsPerIp: 7 } });
    expect(saved['realtime']).toEqual({ maxSubscriptionBytes: 262144, maxStreamsPerIp: 7 });
    expect((await pb.settings.getAll())['realtime']).toEqual({ maxSubscriptionBytes: 262144, maxStreamsPerIp: 7 });
    const refused = await pb.settings.update({ realtime: { maxStreamsPerIp: 0, maxSubscriptionBytes: 1.5 } }).catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.response.data).toEqual({
      realtime: {
        maxStreamsPerIp: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 1.', params: { threshold: 1 } },
        maxSubscriptionBytes: { code: 'validation_only_int_constraint', message: 'Must be an integer.' },
      },
    });
    const wrongType = await pb.settings.update({ realtime: { maxStreamsPerIp: 'many' } }).catch((e) => e);
    expect(wrongType.response.data.realtime.maxStreamsPerIp.code).toBe('validation_unsupported_value_type');
    expect((await pb.settings.getAll())['realtime']).toEqual({ maxSubscriptionBytes: 262144, maxStreamsPerIp: 7 });
    await pb.settings.update({ realtime: { maxStreamsPerIp: 50 } });
  });
});

describe('realtime settings from the environment', () => {
  it('GALLEY_REALTIME_MAX_STREAMS_PER_IP / _MAX_SUBSCRIPTION_BYTES pre-set them at start (the bench raises the stream cap so)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-rt-env-'));
    const env = { GALLEY_REALTIME_MAX_STREAMS_PER_IP: '10050', GALLEY_REALTIME_MAX_SUBSCRIPTION_BYTES: '4096' };
    const galley = await createGalley({ dir, env, logger: createTestLogger('error', () => {}) });
    try {
      expect(galley.core.settings.current().realtime).toEqual({ maxStreamsPerIp: 10050, maxSubscriptionBytes: 4096 });
    } finally {
      await galley.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const badDir = mkdtempSync(join(tmpdir(), 'galley-rt-env-'));
    const bad = await createGalley({ dir: badDir, env: { GALLEY_REALTIME_MAX_STREAMS_PER_IP: '0' }, logger: createTestLogger('error', () => {}) }).catch((e) => e);
    rmSync(badDir, { recursive: true, force: true });
    expect(String(bad.message)).toContain('realtime.maxStreamsPerIp');
  });
});

describe('subscription set size', () => {
  it('is capped in UTF-8 bytes: at the cap 204, one byte over 400 in PocketBase’s shape, and nothing changes', async () => {
    await patchRealtime({ maxSubscriptionBytes: 1000 });
    const s = await openStream();
    expect((await subscribe(s.clientId, ['posts/*', 'x'.repeat(993)])).status).toBe(204);
    const over = await subscribe(s.clientId, ['posts/*', 'x'.repeat(992) + 'é']);
    expect(over).toMatchInlineSnapshot(`
      {
        "json": {
          "data": {
            "subscriptions": {
              "code": "validation_length_too_long",
              "message": "The subscriptions must be no more than 1000 bytes in all.",
              "params": {
                "max": 1000,
              },
            },
          },
          "message": "Something went wrong while processing your request.",
          "status": 400,
        },
        "status": 400,
      }
    `);
    // the refused POST left the earlier set in place
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(2);
    // PocketBase's own caps still answer first: 1001 topics is the topic-count error
    expect((await subscribe(s.clientId, Array.from({ length: 1001 }, (_, i) => `t${i}`))).json.data.subscriptions.code).toBe('validation_length_too_long');
    expect((await subscribe(s.clientId, Array.from({ length: 1001 }, (_, i) => `t${i}`))).json.data.subscriptions.message).toBe('The length must be no more than 1000.');
    s.abort();
    await waitForClients(0);
    await patchRealtime({ maxSubscriptionBytes: 262144 });
  });

  it('defaults to 256 KiB: 1000 topics of 2400 characters are refused, 100 of them accepted', async () => {
    const s = await openStream();
    const topic = (i: number) => `posts/${i}`.padEnd(2400, 'x');
    const big = await subscribe(s.clientId, Array.from({ length: 1000 }, (_, i) => topic(i)));
    expect(big.status).toBe(400);
    expect(big.json.data.subscriptions.message).toBe('The subscriptions must be no more than 262144 bytes in all.');
    expect((await subscribe(s.clientId, Array.from({ length: 100 }, (_, i) => topic(i)))).status).toBe(204);
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(100);
    s.abort();
    await waitForClients(0);
    expect(realtimeStats(w.t.galley.core)).toMatchObject({ clients: 0, topics: 0, subscriptions: 0, ips: 0 });
  });
});

describe('streams per client IP', () => {
  it('refuses one more stream with 429 in PocketBase’s shape, and a closed stream frees its slot', async () => {
    await patchRealtime({ maxStreamsPerIp: 3 });
    const open = [await openStream(), await openStream(), await openStream()];
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await openStream();
    expect({ status: refused.status, body: refused.body }).toMatchInlineSnapshot(`
      {
        "body": {
          "data": {},
          "message": "Too many open realtime connections from this address.",
          "status": 429,
        },
        "status": 429,
      }
    `);
    expect(realtimeStats(w.t.galley.core).clients).toBe(3);
    open.shift()!.abort();
    await waitForClients(2);
    const again = await openStream();
    expect(again.status).toBe(200);
    expect((await openStream()).status).toBe(429);
    for (const s of [...open, again]) s.abort();
    await waitForClients(0);
    expect(realtimeStats(w.t.galley.core).ips).toBe(0);
    await patchRealtime({ maxStreamsPerIp: 50 });
  });

  it('counts the client IP as resolved through trustedProxy, not the proxy’s', async () => {
    await patchRealtime({ maxStreamsPerIp: 1 }, { trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false, ips: [] } });
    const a = await openStream({ 'x-forwarded-for': '203.0.113.7' });
    const b = await openStream({ 'x-forwarded-for': '203.0.113.8' });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await openStream({ 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    a.abort();
    await waitForClients(1);
    expect((await openStream({ 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    await patchRealtime({ maxStreamsPerIp: 50 }, { trustedProxy: { headers: [], useLeftmostIP: false, ips: [] } });
  });
});

describe("the socket's peer address", () => {
  /** A peer like the listener's (a getter: a getpeername each read) that counts its reads. */
  const countingPeer = () => {
    const peer = { reads: 0 };
    return Object.defineProperty(peer, 'remoteAddress', { get: () => (peer.reads++, '10.9.8.7') }) as { reads: number; remoteAddress: string };
  };

  it('is read at most once per request, and never again for the events a stream carries', async () => {
    const galley = w.t.galley;
    const streamPeer = countingPeer();
    const response = await galley.handle(new Request('http://127.0.0.1:8090/api/realtime'), streamPeer);
    expect(response.status).toBe(200);
    const frames: SseFrame[] = [];
    const reading = readFrames(response.body!, frames, () => undefined);
    while (frames.length === 0) await sleep(5);
    const clientId = frames[0]!.id;
    expect(streamPeer.reads).toBe(1);
    const postPeer = countingPeer();
    const post = await galley.handle(
      new Request('http://127.0.0.1:8090/api/realtime', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId, subscriptions: [`users/${w.alice.id}`] }) }),
      postPeer,
    );
    expect(post.status).toBe(204);
    expect(postPeer.reads).toBeLessThanOrEqual(1);
    for (let n = 0; n < 5; n++) await w.update('users', w.alice.id, { name: `Alice ${n}` });
    while (frames.filter((f) => f.event === `users/${w.alice.id}`).length < 5) await sleep(5);
    // the stream's IP was taken once, when it opened: five events later it is still one read
    expect(streamPeer.reads).toBe(1);
    await reading.cancel();
  });
});
