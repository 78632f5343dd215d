/**
 * GET /api/realtime: a new client and its event stream. The stream's queue counts bytes, so a client that
 * stops reading is dropped before it holds more than `maxBufferedBytes` of this process's memory.
 */
import type { Core } from '../core.ts';
import { newClientId } from '../lib/ids.ts';
import { formatSseMessage, SSE_HEADERS } from '../lib/sse.ts';
import { brokerOf, registerClient, removeClient } from './broker.ts';
import type { RealtimeClient } from './model.ts';

export interface RealtimeStream {
  clientId: string;
  response: Response;
}

/** Open a stream for a client connecting from `ip`; its first message is PB_CONNECT. */
export function openRealtimeStream(core: Core, ip: string, signal?: AbortSignal): RealtimeStream {
  const broker = brokerOf(core);
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const now = Date.now();
  const client: RealtimeClient = {
    id: newClientId(),
    ip,
    openedAt: now,
    lastSentAt: now,
    binding: null,
    subscriptions: new Map(),
    closed: false,
    write(text) {
      if (client.closed || !controller) return false;
      // desiredSize is minus the bytes still queued (high-water mark 0)
      if ((controller.desiredSize ?? 0) < -broker.limits.maxBufferedBytes) {
        core.log.warn('realtime client dropped: it stopped reading', { clientId: client.id });
        client.close();
        return false;
      }
      try {
        controller.enqueue(encoder.encode(text));
      } catch {
        client.close();
        return false;
      }
      client.lastSentAt = Date.now();
      return true;
    },
    close() {
      if (client.closed) return;
      client.closed = true;
      removeClient(broker, client);
      try {
        controller?.close();
      } catch {
        // already closed or cancelled by the reader
      }
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        client.close();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
  );
  registerClient(broker, client);
  // wire: the first message names the client; the SDK takes the id from the `id:` line (lastEventId)
  client.write(formatSseMessage(client.id, 'PB_CONNECT', JSON.stringify({ clientId: client.id })));
  signal?.addEventListener('abort', () => client.close(), { once: true });
  return { clientId: client.id, response: new Response(body, { status: 200, headers: { ...SSE_HEADERS } }) };
}
