// Realtime wire protocol: the stream's framing, the subscription POST's checks and answers, sendToClient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeStats, sendToClient } from '../../src/realtime/broker.ts';
import { connectRaw, SYNC_TOPIC } from './sse-client.ts';
import { startRealtimeWorld, type RealtimeWorld } from './fixture.ts';

let w: RealtimeWorld;

beforeAll(async () => {
  w = await startRealtimeWorld();
});
afterAll(async () => {
  await w?.t.close();
});

describe('GET /api/realtime', () => {
  it('answers an event stream whose first message is PB_CONNECT, the client id in the id: line', async () => {
    const c = await connectRaw(w.t.galley);
    expect(c.response.headers.get('content-type')).toBe('text/event-stream');
    expect(c.response.headers.get('cache-control')).toBe('no-store');
    expect(c.response.headers.get('x-accel-buffering')).toBe('no');
    expect(c.response.headers.get('access-control-allow-origin')).toBe('*');
    expect(c.clientId).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(c.frames[0]!.raw).toBe(`id:${c.clientId}\nevent:PB_CONNECT\ndata:{"clientId":"${c.clientId}"}`);
    await c.close();
  });

  it('gives every stream its own client id', async () => {
    const a = await connectRaw(w.t.galley);
    const b = await connectRaw(w.t.galley);
    expect(a.clientId).not.toBe(b.clientId);
    await a.close();
    await b.close();
  });
});

describe('POST /api/realtime', () => {
  const post = (body: unknown, opts: { auth?: string; ip?: string } = {}) => w.t.call('POST', '/api/realtime', { body, ...opts });

  it('answers 204 and replaces the subscriptions', async () => {
    const c = await connectRaw(w.t.galley);
    expect((await c.subscribe(['posts/*', 'posts/abc'])).status).toBe(204);
    expect((await post({ clientId: c.clientId, subscriptions: ['users/*'] })).status).toBe(204);
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(1);
    expect((await post({ clientId: c.clientId, subscriptions: [] })).status).toBe(204);
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(0);
    await c.close();
  });

  const bad: Array<{ name: string; body: unknown; status: number; message: string; data?: unknown }> = [
    { name: 'no clientId', body: { subscriptions: [] }, status: 400, message: 'Something went wrong while processing your request.', data: { clientId: { code: 'validation_required', message: 'Cannot be blank.' } } },
    { name: 'an unknown clientId', body: { clientId: 'nope', subscriptions: [] }, status: 404, message: 'Missing or invalid client id.' },
    { name: 'a clientId over 255 chars', body: { clientId: 'x'.repeat(256) }, status: 400, message: 'Something went wrong while processing your request.', data: { clientId: { code: 'validation_length_out_of_range' } } },
    { name: 'subscriptions that are not a list', body: { clientId: 'x', subscriptions: 'posts/*' }, status: 400, message: 'Something went wrong while processing your request.' },
    { name: 'a topic that is not a string', body: { clientId: 'x', subscriptions: [1] }, status: 400, message: 'Something went wrong while processing your request.' },
    { name: '1001 topics', body: { clientId: 'x', subscriptions: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, status: 400, message: 'Something went wrong while processing your request.', data: { subscriptions: { code: 'validation_length_too_long', message: 'The length must be no more than 1000.' } } },
    { name: 'a topic of 2501 chars', body: { clientId: 'x', subscriptions: ['ok', 'a'.repeat(2501)] }, status: 400, message: 'Something went wrong while processing your request.', data: { subscriptions: { '1': { code: 'validation_length_too_long', message: 'The length must be no more than 2500.' } } } },
    { name: 'a topic with a line break', body: { clientId: 'x', subscriptions: ['posts/*\nevent:x'] }, status: 400, message: 'Something went wrong while processing your request.', data: { subscriptions: { '0': { code: 'validation_invalid_value' } } } },
    { name: 'a body that is not JSON', body: '{"clientId":', status: 400, message: 'Failed to load the submitted data due to invalid formatting.' },
  ];
  for (const s of bad) {
    it(`refuses ${s.name}`, async () => {
      const res = await w.t.call('POST', '/api/realtime', { body: s.body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(s.status);
      expect(res.json.message).toBe(s.message);
      if (s.data) expect(res.json.data).toMatchObject(s.data as object);
    });
  }

  it('accepts exactly 1000 topics of 2500 chars', async () => {
    // Galley's own byte cap (settings realtime.maxSubscriptionBytes, 256 KiB) raised to PocketBase's whole range
    const raise = (n: number) => w.t.call('PATCH', '/api/settings', { auth: w.root, body: { realtime: { maxSubscriptionBytes: n } } });
    expect((await raise(2_500_000)).status).toBe(200);
    const c = await connectRaw(w.t.galley);
    const topics = Array.from({ length: 1000 }, (_, i) => `${i}`.padEnd(2500, 'x'));
    expect((await post({ clientId: c.clientId, subscriptions: topics })).status).toBe(204);
    await c.close();
    expect(realtimeStats(w.t.galley.core).subscriptions).toBe(0);
    expect((await raise(262_144)).status).toBe(200);
  });

  it('refuses a POST from another IP than the stream (400 Invalid realtime client.)', async () => {
    const c = await connectRaw(w.t.galley, { ip: '10.0.0.1' });
    const res = await post({ clientId: c.clientId, subscriptions: ['posts/*'] }, { ip: '10.0.0.2' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid realtime client.');
    expect((await post({ clientId: c.clientId, subscriptions: ['posts/*'] }, { ip: '10.0.0.1' })).status).toBe(204);
    await c.close();
  });

  it('lets a guest client authenticate, then refuses any other auth (403), guest included', async () => {
    const c = await connectRaw(w.t.galley);
    expect((await post({ clientId: c.clientId, subscriptions: ['posts/*'] })).status).toBe(204);
    expect((await post({ clientId: c.clientId, subscriptions: ['posts/*'] }, { auth: w.alice.token })).status).toBe(204);
    expect((await post({ clientId: c.clientId, subscriptions: ['posts/*'] }, { auth: w.alice.token })).status).toBe(204);
    for (const auth of [w.bob.token, w.root, undefined]) {
      const res = await post({ clientId: c.clientId, subscriptions: [] }, { auth });
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ status: 403, message: "The current and the previous request authorization don't match.", data: {} });
    }
    await c.close();
  });
});

describe('sendToClient (the OAuth2 flow\'s @oauth2 topic)', () => {
  it('sends one message to a subscribed client and answers false otherwise', async () => {
    const core = w.t.galley.core;
    const c = await connectRaw(w.t.galley, { ip: '10.0.0.7' });
    expect(sendToClient(core, c.clientId, '@oauth2', { state: 's', code: 'c' })).toBe(false);
    await c.subscribe(['@oauth2']);
    expect(sendToClient(core, 'unknown', '@oauth2', {})).toBe(false);
    expect(sendToClient(core, c.clientId, '@oauth2', {}, { ip: '10.0.0.8' })).toBe(false);
    expect(sendToClient(core, c.clientId, '@oauth2', { state: 's', code: 'c' }, { ip: '10.0.0.7', unsubscribe: true })).toBe(true);
    const frame = await c.waitFor((f) => f.event === '@oauth2');
    expect(frame.raw).toBe(`id:${c.clientId}\nevent:@oauth2\ndata:{"state":"s","code":"c"}`);
    expect(sendToClient(core, c.clientId, '@oauth2', {})).toBe(false);
    expect(sendToClient(core, c.clientId, SYNC_TOPIC, { n: 0 })).toBe(true);
    await c.close();
  });
});

describe('clients that vanish', () => {
  it('leave nothing behind in the broker', async () => {
    const core = w.t.galley.core;
    const before = realtimeStats(core);
    const clients = await Promise.all(Array.from({ length: 40 }, () => connectRaw(w.t.galley)));
    await Promise.all(clients.map((c, i) => c.subscribe(['posts/*', `posts/r${i}`, 'users/*'], { auth: i % 2 ? w.alice.token : null })));
    const during = realtimeStats(core);
    expect(during.clients).toBe(before.clients + 40);
    expect(during.authBindings).toBeGreaterThan(0);
    await Promise.all(clients.map((c) => c.close()));
    expect(realtimeStats(core)).toEqual({ clients: 0, topics: 0, subscriptions: 0, authBindings: 0, pending: 0, ips: 0 });
  });
});
