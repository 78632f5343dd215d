import type { IncomingMessage, ServerResponse } from 'node:http';
import { isEventStreamResponse } from '../lib/sse.ts';
import { isRespondAnswer } from './route-kit.ts';

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
  const streams: OpenStreams = new Set();
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined') {
    const server = Bun.serve({
      hostname: opts.hostname,
      port: opts.port,
      fetch: async (request, server) => {
        const response = await opts.fetch(request, { remoteAddress: server.requestIP(request)?.address });
        // respond's JSON answers are never streams: their headers are not read (Bun would build a Headers object)
        if (isRespondAnswer(response) || !isEventStreamResponse(response) || !response.body) return response;
        // Bun ends a request idle for 10 s; an event stream keeps its route's own idle timeout instead
        server.timeout(request, 0);
        return new Response(closableStream(response.body, streams), response);
      },
      maxRequestBodySize: opts.maxRequestBodySize,
    });
    return {
      url: `http://${formatHost(opts.hostname)}:${server.port}`,
      stop: async () => {
        closeStreams(streams);
        await server.stop(false);
      },
    };
  }
  return listenNode(opts, streams);
}

/** Event streams still open: a stop ends them, or the server would wait for them forever. */
type OpenStreams = Set<() => void>;

function closeStreams(streams: OpenStreams): void {
  for (const close of [...streams]) close();
}

/** `body` behind a stream this listener can end (cancelling `body`, which tells its producer). */
function closableStream(body: ReadableStream<Uint8Array>, streams: OpenStreams): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let close = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        close = () => {
          streams.delete(close);
          reader.cancel().catch(() => undefined);
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        streams.add(close);
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (!done) return controller.enqueue(value);
        } catch {
          // the producer failed: end the stream
        }
        close();
      },
      cancel(reason) {
        streams.delete(close);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

async function listenNode(opts: ListenOptions, streams: OpenStreams): Promise<Listener> {
  // under Bun (Bun.serve above) node:http is never loaded
  const [{ createServer }, { Readable }] = await Promise.all([import('node:http'), import('node:stream')]);
  const server = createServer((req, res) => void bridge(req, res, opts.fetch, streams, Readable));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${formatHost(opts.hostname)}:${port}`,
    stop: () => {
      closeStreams(streams);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function bridge(req: IncomingMessage, res: ServerResponse, fetch: ListenOptions['fetch'], streams: OpenStreams, Readable: typeof import('node:stream').Readable): Promise<void> {
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
    let body: ReadableStream<Uint8Array> | null = response.body;
    if (body && isEventStreamResponse(response)) {
      // no socket timeout for an event stream; headers go out at once, and a client that leaves ends it
      req.socket.setTimeout(0);
      res.flushHeaders();
      body = closableStream(body, streams);
    }
    if (body) {
      const reader = body.getReader();
      res.once('close', () => void reader.cancel().catch(() => undefined));
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    }
    res.end();
  } catch {
    if (!res.headersSent) res.statusCode = 400;
    res.end();
  }
}
