/**
 * GET /api/realtime: a new client and its event stream. Messages wait in the client's own buffer until the
 * broker's flush pass (broker.ts queueFlush) or, while the socket is still busy with an earlier write, the
 * socket layer's next pull takes everything waiting as one chunk: a slow or busy connection gets fewer,
 * larger writes instead of a queue of small ones. A client whose buffer passes `maxBufferedBytes`
 * (it stopped reading) is dropped, so no client can hold more than that of this process's memory.
 */
import type { Core } from '../core.ts';
import { realtimeMessageHooks } from '../hooks/realtime-hook-points.ts';
import { newClientId } from '../lib/ids.ts';
import { formatSseEvent, formatSseIdLine, SSE_HEADERS } from '../lib/sse.ts';
import { brokerOf, claimStreamSlot, queueFlush, registerClient, removeClient } from './broker.ts';
import type { RealtimeClient } from './model.ts';

export interface RealtimeStream {
  clientId: string;
  response: Response;
}

function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Open a stream for a client connecting from `ip`; its first message is PB_CONNECT. 429 past the per-IP cap. */
export function openRealtimeStream(core: Core, ip: string, id = newClientId()): RealtimeStream {
  const broker = brokerOf(core);
  claimStreamSlot(broker, ip);
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  /** set while the socket layer waits for data: resolving it hands over what is waiting */
  let wake: (() => void) | undefined;
  const flush = () => {
    if (waitingBytes === 0 || !controller) return;
    const chunk = joinChunks(waiting, waitingBytes);
    waiting = [];
    waitingBytes = 0;
    controller.enqueue(chunk);
  };
  const now = Date.now();
  const idLine = encoder.encode(formatSseIdLine(id));
  /** after a send: drop a client whose unread messages passed the cap, else ask for the next flush pass */
  const queued = (): boolean => {
    if (waitingBytes > broker.limits.maxBufferedBytes) {
      core.log.warn('realtime client dropped: it stopped reading', { clientId: client.id });
      waiting = [];
      waitingBytes = 0;
      client.close();
      return false;
    }
    client.lastSentAt = Date.now();
    queueFlush(broker, client);
    return true;
  };
  const client: RealtimeClient = {
    id,
    ip,
    openedAt: now,
    lastSentAt: now,
    binding: null,
    subscriptions: new Map(),
    closed: false,
    send(events) {
      if (client.closed) return false;
      for (const e of events) {
        waiting.push(idLine, e);
        waitingBytes += idLine.byteLength + e.byteLength;
      }
      return queued();
    },
    push(event) {
      if (client.closed) return false;
      waiting.push(idLine, event);
      waitingBytes += idLine.byteLength + event.byteLength;
      return queued();
    },
    deliver() {
      if (!wake || waitingBytes === 0) return false;
      const w = wake;
      wake = undefined;
      flush();
      w();
      return true;
    },
    close() {
      if (client.closed) return;
      client.closed = true;
      removeClient(broker, client);
      try {
        flush();
        controller?.close();
      } catch {
        // already closed or cancelled by the reader
      }
      wake?.();
      wake = undefined;
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (waitingBytes > 0) return flush();
        if (client.closed) return;
        return new Promise<void>((resolve) => (wake = resolve));
      },
      cancel() {
        client.close();
      },
    },
    { highWaterMark: 0 },
  );
  registerClient(broker, client);
  // wire: the first message names the client; the SDK takes the id from the `id:` line (lastEventId)
  const connect = { name: 'PB_CONNECT', data: JSON.stringify({ clientId: client.id }) };
  const messageHooks = realtimeMessageHooks(core.hooks.registry, core.log);
  if (!messageHooks) client.send([encoder.encode(formatSseEvent(connect.name, connect.data))]);
  else void messageHooks({ id: client.id, auth: null }, connect).then((m) => m && client.send([encoder.encode(formatSseEvent(m.name, m.data))]));
  return { clientId: client.id, response: new Response(body, { status: 200, headers: { ...SSE_HEADERS } }) };
}
