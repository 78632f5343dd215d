// The restore gate: closing it refuses new requests at once (the caller's 503) and resolves once the requests
// in flight have answered; opening it lets requests through again.
import { describe, expect, it } from 'vitest';
import { createRestoreGate } from './restore-gate.ts';

const silent = { warn: () => undefined };

describe('restore gate', () => {
  it('refuses new requests while closed, waits for those in flight, then opens', async () => {
    const gate = createRestoreGate(() => new Response('busy', { status: 503, headers: { 'Retry-After': '5' } }), silent);
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const handler = gate.wrap(async (request: Request) => {
      if (request.url.endsWith('/slow')) await slow;
      return new Response('ok');
    });
    const inFlight = handler(new Request('http://x/slow'));
    let closed = false;
    const closing = gate.close().then(() => (closed = true));
    const refused = await handler(new Request('http://x/new'));
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
    await Promise.resolve();
    expect(closed).toBe(false);
    finish();
    expect(await (await inFlight).text()).toBe('ok');
    await closing;
    expect(closed).toBe(true);
    gate.open();
    expect((await handler(new Request('http://x/new'))).status).toBe(200);
  });

  it('a request still running after the wait is left behind with a warning', async () => {
    const warnings: string[] = [];
    const gate = createRestoreGate(() => new Response(null, { status: 503 }), { warn: (m: string) => void warnings.push(m) }, 20);
    const handler = gate.wrap(() => new Promise<Response>(() => undefined));
    void handler(new Request('http://x/'));
    await gate.close();
    expect(warnings).toEqual(['restore: 1 request(s) still running after 20 ms; restoring anyway']);
  });
});
