/** Server-sent events framing as PocketBase writes it (tools/subscriptions/message.go). */

export const EVENT_STREAM_TYPE = 'text/event-stream';

/** wire: PocketBase's stream headers; X-Accel-Buffering stops nginx from holding messages back. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': EVENT_STREAM_TYPE,
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/**
 * One message. wire: `id:<clientId>\nevent:<name>\ndata:<payload>\n\n`, no space after the colons; the SDK
 * reads the client id from `lastEventId`. A payload line break starts another `data:` line (the SSE rule),
 * so no payload can end a message early; names never hold line breaks (topics with them are refused).
 */
export function formatSseMessage(id: string, event: string, data: string): string {
  return formatSseIdLine(id) + formatSseEvent(event, data);
}

export function formatSseIdLine(id: string): string {
  return `id:${id}\n`;
}

/** A message after its id line: the part many clients share, so it is built (and encoded) once. */
export function formatSseEvent(event: string, data: string): string {
  const body = data.includes('\n') || data.includes('\r') ? data.split(/\r\n|\r|\n/).join('\ndata:') : data;
  return `event:${event}\ndata:${body}\n\n`;
}

/** True for a streamed event response: listeners lift their idle timeouts for it. */
export function isEventStreamResponse(response: Response): boolean {
  return response.headers.get('content-type')?.startsWith(EVENT_STREAM_TYPE) === true;
}

/**
 * One connection's socket writer (Bun's direct stream controller, adapted by http/listen.ts): writes go into
 * the socket layer's own reusable buffer, with no stream queue and no chunk of ours in between.
 */
export interface EventStreamWriter {
  /** queue bytes for the socket; a promise while the connection is backed up: write nothing more until it settles */
  write(chunk: Uint8Array): PromiseLike<unknown> | undefined;
  /** send what was written */
  flush(): void;
  /** send what was written and end the response */
  close(): void;
}

/**
 * An event stream body that can also write straight to its socket: a listener that has a socket writer
 * attaches it, and the body's ReadableStream is then never read. Without one (in-process requests, Node),
 * the ReadableStream is the body as usual.
 */
export interface DirectEventSource {
  /** from now on every write goes through `writer` */
  attach(writer: EventStreamWriter): void;
  /** the connection is gone (the client left, or the listener stopped) */
  detach(): void;
}

const DIRECT_SOURCE = Symbol('galley.directEventSource');

/** Mark `body` as also writable through `source` (listeners that can, attach a socket writer instead of reading it). */
export function offerDirectSource(body: ReadableStream<Uint8Array>, source: DirectEventSource): void {
  (body as { [DIRECT_SOURCE]?: DirectEventSource })[DIRECT_SOURCE] = source;
}

/** The source offered on `body`, if any and if nobody has started reading it. */
export function directSourceOf(body: ReadableStream<Uint8Array> | null): DirectEventSource | undefined {
  if (!body || body.locked) return undefined;
  return (body as { [DIRECT_SOURCE]?: DirectEventSource })[DIRECT_SOURCE];
}
