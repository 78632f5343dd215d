import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export interface Listener {
  url: string;
  /** Stop accepting connections and wait for in-flight requests. */
  stop(): Promise<void>;
}

export interface ListenOptions {
  hostname: string;
  port: number;
  /** `peer` is the socket's remote address (client IP before any proxy header) */
  fetch: (request: Request, peer?: { remoteAddress?: string }) => Promise<Response>;
  /** largest body the socket layer accepts; route limits are stricter and answer 413 themselves */
  maxRequestBodySize: number;
}

/**
 * Serve a fetch handler. A runtime seam like db/driver.ts, by necessity: Bun.serve under Bun (the
 * binary), node:http under Node 20 (library mode).
 */
export async function listenHttp(opts: ListenOptions): Promise<Listener> {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined') {
    const server = Bun.serve({
      hostname: opts.hostname,
      port: opts.port,
      fetch: (request, server) => opts.fetch(request, { remoteAddress: server.requestIP(request)?.address }),
      maxRequestBodySize: opts.maxRequestBodySize,
    });
    return {
      url: `http://${formatHost(opts.hostname)}:${server.port}`,
      stop: async () => {
        await server.stop(false);
      },
    };
  }
  return listenNode(opts);
}

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

async function listenNode(opts: ListenOptions): Promise<Listener> {
  const server = createServer((req, res) => void bridge(req, res, opts.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${formatHost(opts.hostname)}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function bridge(req: IncomingMessage, res: ServerResponse, fetch: ListenOptions['fetch']): Promise<void> {
  try {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream) : undefined,
      duplex: 'half',
    } as RequestInit);
    const response = await fetch(request, { remoteAddress: req.socket.remoteAddress });
    res.statusCode = response.status;
    response.headers.forEach((value, key) => res.setHeader(key, value));
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    }
    res.end();
  } catch {
    if (!res.headersSent) res.statusCode = 400;
    res.end();
  }
}
