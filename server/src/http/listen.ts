import type { IncomingMessage, ServerResponse } from 'node:http';
import { directSourceOf, isEventStreamResponse, type DirectEventSource } from '../lib/sse.ts';
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
        const response = await opts.fetch(request, new SocketPeer(server, request));
        // respond's JSON answers are never streams: their headers are not read (Bun would build a Headers object)
        if (isRespondAnswer(response) || !isEventStreamResponse(response) || !response.body) return response;
        // Bun ends a request idle for 10 s; an event stream keeps its route's own idle timeout instead
        server.timeout(request, 0);
        const source = directSourceOf(response.body);
        if (source) return new Response(directEventStream(source, streams), response);
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

/** The request's socket peer, looked up (a getpeername) only if something reads it: the request log, a rate limit, a route. */
class SocketPeer {
  constructor(
    private readonly server: Bun.Server<undefined>,
    private readonly request: Request,
  ) {}

  get remoteAddress(): string | undefined {
    return this.server.requestIP(this.request)?.address;
  }
}

/** Event streams still open: a stop ends them, or the server would wait for them forever. */
type OpenStreams = Set<() => void>;

function closeStreams(streams: OpenStreams): void {
  for (const close of [...streams]) close();
}

/**
 * Bytes a direct stream's socket writer gathers before it sends them (Bun's sink: its buffer, allocated per
 * connection at this size, is sent whenever a write takes it past this, and at the end of the task; the
 * socket layer still makes one send per connection per pass: strace counted one sendto per 17 KB pass at
 * this size). Measured with 10k raw readers taking 50 messages of ~340 bytes per write (scratch Bun.serve,
 * not committed): server CPU 0.24 µs/message at 64 B to 4 KiB alike, RSS 81 MB at 64 B, 114 MB at 2 KiB,
 * 155 MB at 4 KiB; at 64 B each message is its own HTTP chunk (2 % more bytes for the reader to take).
 */
const DIRECT_WRITE_BYTES = 2048;

/** Bun's direct stream controller (bun-types names it ReadableStreamDirectController). */
interface DirectController {
  write(chunk: Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
  close(): void;
}

/**
 * An event stream whose source writes straight into Bun's socket sink: no ReadableStream queue, no read per
 * chunk, no chunk of the source's own (the id lines and shared frames are copied into the sink's reusable
 * buffer). The stream this listener can end, as closableStream, without a second stream around the body.
 */
function directEventStream(source: DirectEventSource, streams: OpenStreams): ReadableStream<Uint8Array> {
  // the client left (Bun cancels the stream): the source forgets it
  let gone = () => source.detach();
  const underlying = {
    type: 'direct',
    // called once: the response lasts until the promise settles
    pull(controller: DirectController) {
      return new Promise<void>((resolve) => {
        let open = true;
        const finish = (endResponse: boolean): boolean => {
          if (!open) return false;
          open = false;
          streams.delete(stop);
          if (endResponse) {
            try {
              controller.close();
            } catch {
              // the connection is already gone
            }
          }
          resolve();
          return true;
        };
        // the listener stops: the response ends and the source forgets the client
        const stop = () => void (finish(true) && source.detach());
        gone = () => void (finish(false) && source.detach());
        streams.add(stop);
        source.attach({
          write: (chunk) => {
            const wrote = controller.write(chunk);
            return typeof wrote === 'number' ? undefined : wrote;
          },
          flush: () => void controller.flush(),
          close: () => void finish(true),
        });
      });
    },
    cancel: () => gone(),
  };
  return new ReadableStream(underlying as unknown as UnderlyingDefaultSource<Uint8Array>, { highWaterMark: DIRECT_WRITE_BYTES });
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
    const body = response.body;
    if (body) {
      const reader = body.getReader();
      const cancel = () => void reader.cancel().catch(() => undefined);
      // a client that leaves ends the body (cancelling it tells its producer)
      res.once('close', cancel);
      const eventStream = isEventStreamResponse(response);
      if (eventStream) {
        // no socket timeout for an event stream; headers go out at once; a stop ends it (its read ends done)
        req.socket.setTimeout(0);
        res.flushHeaders();
        streams.add(cancel);
      }
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      } finally {
        if (eventStream) streams.delete(cancel);
      }
    }
    res.end();
  } catch {
    if (!res.headersSent) res.statusCode = 400;
    res.end();
  }
}
