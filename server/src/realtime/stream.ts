/**
 * GET /api/realtime: a new client and its event stream. Messages wait in the client's own queue, as references
 * to frames shared with every client they go to, until a broker flush pass (broker.ts queueFlush) finds the
 * connection ready and writes them. A listener with a socket writer (Bun.serve: http/listen.ts) has it
 * attached and each pass writes the id lines and shared frames straight into the socket layer's reusable
 * buffer; a connection backed up (its write answered with a promise) is skipped until it drains. Without
 * one (in-process requests, Node), the body is a ReadableStream and a pass hands over what is waiting as one
 * chunk once the reader asks for more. A client whose queue passes `maxBufferedBytes` (it stopped reading) is
 * dropped, so no client holds more than that of this process's memory.
 */
import type { Core } from '../core.ts';
import { realtimeMessageHooks } from '../hooks/realtime-hook-points.ts';
import { newClientId } from '../lib/ids.ts';
import { formatSseEvent, formatSseIdLine, offerDirectSource, SSE_HEADERS, type EventStreamWriter } from '../lib/sse.ts';
import { brokerOf, claimStreamSlot, queueFlush, registerClient, removeClient } from './broker.ts';
import type { FlushState, RealtimeClient } from './model.ts';

export interface RealtimeStream {
  clientId: string;
  response: Response;
}

/**
 * The most one flush pass writes to one client, in whole messages; the rest goes in the next pass. It bounds
 * what a pass adds to a backed-up connection's socket buffer, and (ReadableStream bodies, where a pass copies
 * what it writes into one chunk) the memory a pass allocates per client.
 */
export const MAX_WRITE_BYTES = 16 * 1024;

/** The largest scratch buffer a pass keeps for building one client's write (writeWaiting); larger writes go in parts. */
const MAX_SCRATCH_BYTES = 64 * 1024;

/** The broker's scratch buffer with room for `bytes`, grown as needed up to MAX_SCRATCH_BYTES; undefined past that. */
function writeScratch(flush: FlushState, bytes: number): Uint8Array | undefined {
  if (bytes > MAX_SCRATCH_BYTES) return undefined;
  if (flush.scratch.byteLength < bytes) flush.scratch = new Uint8Array(Math.min(MAX_SCRATCH_BYTES, Math.max(bytes, flush.scratch.byteLength * 2)));
  return flush.scratch;
}

/** Open a stream for a client connecting from `ip`; its first message is PB_CONNECT. 429 past the per-IP cap. */
export function openRealtimeStream(core: Core, ip: string, id = newClientId()): RealtimeStream {
  const broker = brokerOf(core);
  claimStreamSlot(broker, ip);
  const encoder = new TextEncoder();
  const idLine = encoder.encode(formatSseIdLine(id));
  /** queued frames: waiting[head..] (each goes out behind this client's id line) */
  let waiting: Uint8Array[] = [];
  let head = 0;
  let waitingBytes = 0;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** ReadableStream body: set while its reader waits for data; resolving it hands over what was enqueued */
  let wake: (() => void) | undefined;
  /** socket writer body: the writer, and whether its connection is backed up */
  let writer: EventStreamWriter | undefined;
  let backedUp = false;

  /** take whole messages from the queue up to `limit` bytes (at least one); returns the frames and their bytes */
  const take = (limit: number): { frames: Uint8Array[]; bytes: number } => {
    let bytes = 0;
    let end = head;
    while (end < waiting.length && bytes < limit) bytes += idLine.byteLength + waiting[end++]!.byteLength;
    const frames = waiting.slice(head, end);
    advance(end, bytes);
    return { frames, bytes };
  };
  const advance = (end: number, bytes: number) => {
    waitingBytes -= bytes;
    if (end >= waiting.length) {
      waiting = [];
      head = 0;
    } else if (end > 1024 && end * 2 > waiting.length) {
      // drop the written references once they are most of the array
      waiting = waiting.slice(end);
      head = 0;
    } else head = end;
  };

  /** ReadableStream body: what is waiting (up to `limit`) as one chunk */
  const enqueueWaiting = (limit: number) => {
    if (waitingBytes === 0 || !controller) return;
    const { frames, bytes } = take(limit);
    const chunk = new Uint8Array(bytes);
    let at = 0;
    for (const frame of frames) {
      chunk.set(idLine, at);
      chunk.set(frame, at + idLine.byteLength);
      at += idLine.byteLength + frame.byteLength;
    }
    controller.enqueue(chunk);
  };

  /**
   * socket writer body: the messages waiting (up to `limit`), each as the id line and its shared frame, copied
   * into the broker's scratch buffer and handed over in one write, then one flush. Each write is a call into
   * the native sink (two per message were 18.8 % of the server's samples at 10k subscribers); the sink copies
   * what it is given before it returns (into its own buffer, or the socket's while backed up), so one scratch
   * buffer serves every client. Messages that do not fit in it (a frame larger than the buffer) go out as
   * before, id line and frame apart.
   */
  const writeWaiting = (w: EventStreamWriter, limit: number) => {
    let bytes = 0;
    let end = head;
    while (end < waiting.length && bytes < limit) bytes += idLine.byteLength + waiting[end++]!.byteLength;
    let drained: PromiseLike<unknown> | undefined;
    const scratch = writeScratch(broker.flush, bytes);
    if (scratch) {
      let at = 0;
      for (let i = head; i < end; i++) {
        const frame = waiting[i]!;
        scratch.set(idLine, at);
        scratch.set(frame, at + idLine.byteLength);
        at += idLine.byteLength + frame.byteLength;
      }
      drained = w.write(scratch.subarray(0, at)) ?? undefined;
    } else {
      // until the socket backs up: what was written is taken, the rest waits for the drain
      bytes = 0;
      end = head;
      while (end < waiting.length && bytes < limit && !drained) {
        const frame = waiting[end++]!;
        const a = w.write(idLine);
        drained = w.write(frame) ?? a;
        bytes += idLine.byteLength + frame.byteLength;
      }
    }
    advance(end, bytes);
    w.flush();
    if (!drained) return;
    // backed up: the next write waits until the socket layer has sent what it holds
    backedUp = true;
    const resume = () => {
      backedUp = false;
      if (!client.closed && waitingBytes > 0) queueFlush(broker, client);
    };
    drained.then(resume, resume);
  };

  const now = Date.now();
  /**
   * After a send: drop a client whose unread messages passed the cap, else ask for the next flush pass if the
   * queue was empty. A queue already holding messages is in the pass's list, or will be put back there by
   * what holds it (the rest of a pass: deliver; a drain: writeWaiting; a read: pull; a socket writer:
   * attach). Asking per message cost 5.8 % of the server's samples at 10k subscribers (a Set lookup each).
   */
  const queued = (wasEmpty: boolean): boolean => {
    if (waitingBytes > broker.limits.maxBufferedBytes) {
      core.log.warn('realtime client dropped: it stopped reading', { clientId: client.id });
      waiting = [];
      head = 0;
      waitingBytes = 0;
      client.close();
      return false;
    }
    if (wasEmpty) queueFlush(broker, client);
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
    queued: false,
    send(events) {
      if (client.closed) return false;
      const wasEmpty = waitingBytes === 0;
      for (const e of events) {
        waiting.push(e);
        waitingBytes += idLine.byteLength + e.byteLength;
      }
      return queued(wasEmpty);
    },
    push(event) {
      if (client.closed) return false;
      const wasEmpty = waitingBytes === 0;
      waiting.push(event);
      waitingBytes += idLine.byteLength + event.byteLength;
      return queued(wasEmpty);
    },
    deliver() {
      if (waitingBytes === 0) return 0;
      const before = waitingBytes;
      if (writer) {
        if (backedUp) return 0;
        writeWaiting(writer, MAX_WRITE_BYTES);
      } else {
        if (!wake) return 0;
        const w = wake;
        wake = undefined;
        enqueueWaiting(MAX_WRITE_BYTES);
        w();
      }
      if (waitingBytes > 0 && !backedUp) queueFlush(broker, client);
      // once per write rather than per message queued (a clock read each)
      client.lastSentAt = Date.now();
      return before - waitingBytes;
    },
    close() {
      if (client.closed) return;
      client.closed = true;
      removeClient(broker, client);
      if (writer) {
        const w = writer;
        writer = undefined;
        if (waitingBytes > 0) writeWaiting(w, Infinity);
        w.close();
        return;
      }
      try {
        enqueueWaiting(Infinity);
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
        if (client.closed) return;
        // what queued while the reader was busy goes in the next flush pass too: every write is paced
        if (waitingBytes > 0) queueFlush(broker, client);
        return new Promise<void>((resolve) => (wake = resolve));
      },
      cancel() {
        client.close();
      },
    },
    { highWaterMark: 0 },
  );
  offerDirectSource(body, {
    attach(w) {
      if (client.closed) return w.close();
      writer = w;
      if (waitingBytes > 0) queueFlush(broker, client);
    },
    detach() {
      // the connection is gone: nothing more can be written to it
      writer = undefined;
      waiting = [];
      head = 0;
      waitingBytes = 0;
      client.close();
    },
  });
  registerClient(broker, client);
  // wire: the first message names the client; the SDK takes the id from the `id:` line (lastEventId)
  const connect = { name: 'PB_CONNECT', data: JSON.stringify({ clientId: client.id }) };
  const messageHooks = realtimeMessageHooks(core.hooks.registry, core.log);
  if (!messageHooks) client.send([encoder.encode(formatSseEvent(connect.name, connect.data))]);
  else void messageHooks({ id: client.id, auth: null }, connect).then((m) => m && client.send([encoder.encode(formatSseEvent(m.name, m.data))]));
  return { clientId: client.id, response: new Response(body, { status: 200, headers: { ...SSE_HEADERS } }) };
}
