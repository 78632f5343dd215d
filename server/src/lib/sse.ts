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
