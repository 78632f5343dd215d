import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch, GuardedFetchError, type GuardedFetchOptions } from './guarded-fetch.ts';

let server: Server;
let port = 0;
const seen: Array<{ url: string; host: string }> = [];

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ url: req.url ?? '', host: req.headers.host ?? '' });
  if (req.url === '/avatar.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([137, 80, 78, 71]));
  if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/avatar.png` }).end();
  if (req.url === '/big') return void res.writeHead(200, { 'content-length': String(2048) }).end(Buffer.alloc(2048));
  if (req.url === '/stream') {
    res.writeHead(200); // chunked, no length announced
    for (let i = 0; i < 8; i++) res.write(Buffer.alloc(512));
    return void res.end();
  }
  if (req.url === '/missing') return void res.writeHead(404).end();
  if (req.url === '/hang') return; // never answers
  res.writeHead(200).end('ok');
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function failure(url: string, opts?: GuardedFetchOptions): Promise<string> {
  try {
    await guardedFetch(url, opts);
  } catch (err) {
    if (err instanceof GuardedFetchError) return err.reason;
    throw err;
  }
  return 'fetched';
}

/** A test resolver that maps names to fixed addresses and counts lookups. */
function fakeDns(map: Record<string, string[]>) {
  const calls: string[] = [];
  const resolveHost = async (host: string) => {
    calls.push(host);
    const found = map[host];
    if (!found) throw new Error('NXDOMAIN');
    return found;
  };
  return { calls, resolveHost };
}

const allowLoopback = (ip: string) => ip === '127.0.0.1';

describe('guardedFetch refuses', () => {
  it('a loopback server by literal address, by name and over IPv6', async () => {
    const before = seen.length;
    expect(await failure(`http://127.0.0.1:${port}/avatar.png`)).toBe('forbidden_address');
    expect(await failure(`http://localhost:${port}/avatar.png`)).toBe('forbidden_address');
    expect(await failure(`http://[::1]:${port}/avatar.png`)).toBe('forbidden_address');
    expect(await failure(`http://[::ffff:127.0.0.1]:${port}/avatar.png`)).toBe('forbidden_address');
    expect(await failure(`http://2130706433:${port}/avatar.png`)).toBe('forbidden_address'); // 127.0.0.1 as a number
    expect(seen.length).toBe(before); // no request ever reached the server
  });

  it('a name that resolves to a private, link-local or mixed set of addresses', async () => {
    const dns = fakeDns({ 'a.test': ['10.0.0.5'], 'b.test': ['169.254.169.254'], 'c.test': ['93.184.216.34', '127.0.0.1'], 'd.test': ['fd00::1'] });
    for (const host of ['a.test', 'b.test', 'c.test', 'd.test']) {
      expect(await failure(`http://${host}:${port}/`, { resolveHost: dns.resolveHost })).toBe('forbidden_address');
    }
    expect(await failure('http://nowhere.test/', { resolveHost: dns.resolveHost })).toBe('dns');
  });

  it('other schemes and URLs with credentials', async () => {
    expect(await failure('file:///etc/passwd')).toBe('bad_url');
    expect(await failure('ftp://example.com/x')).toBe('bad_url');
    expect(await failure(`http://user:pw@127.0.0.1:${port}/`, { allowAddress: allowLoopback })).toBe('bad_url');
    expect(await failure('not a url')).toBe('bad_url');
  });
});

describe('guardedFetch with an allowed address', () => {
  it('connects to the address it checked, resolving the name once, and sends the URL host', async () => {
    const dns = fakeDns({ 'avatars.test': ['127.0.0.1'] });
    const res = await guardedFetch(`http://avatars.test:${port}/avatar.png`, { resolveHost: dns.resolveHost, allowAddress: allowLoopback });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect([...res.body]).toEqual([137, 80, 78, 71]);
    expect(dns.calls).toEqual(['avatars.test']);
    expect(seen.at(-1)).toEqual({ url: '/avatar.png', host: `avatars.test:${port}` });
  });

  it('follows no redirect', async () => {
    const before = seen.length;
    expect(await failure(`http://127.0.0.1:${port}/redirect`, { allowAddress: allowLoopback })).toBe('redirect');
    expect(seen.length).toBe(before + 1);
  });

  it('caps the size, announced or streamed', async () => {
    expect(await failure(`http://127.0.0.1:${port}/big`, { allowAddress: allowLoopback, maxBytes: 1024 })).toBe('too_large');
    expect(await failure(`http://127.0.0.1:${port}/stream`, { allowAddress: allowLoopback, maxBytes: 1024 })).toBe('too_large');
    const whole = await guardedFetch(`http://127.0.0.1:${port}/stream`, { allowAddress: allowLoopback, maxBytes: 4096 });
    expect(whole.body.length).toBe(4096);
  });

  it('caps the time and refuses non-2xx answers', async () => {
    expect(await failure(`http://127.0.0.1:${port}/hang`, { allowAddress: allowLoopback, timeoutMs: 300 })).toBe('timeout');
    expect(await failure(`http://127.0.0.1:${port}/missing`, { allowAddress: allowLoopback })).toBe('status');
  });
});
