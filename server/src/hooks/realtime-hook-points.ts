/**
 * The realtime families of a hooks registry (PocketBase's onRealtimeConnectRequest, onRealtimeSubscribeRequest,
 * onRealtimeMessageSend) and the triggers realtime/ calls. Connect and subscribe run once per request: a throw
 * refuses it with its error, `return e.json(…)` without `e.next()` answers it. Message hooks run per client and
 * message and may change `e.message` or drop it; the dispatcher asks `realtimeMessageHooks` once per batch, so
 * without a handler nothing changes on the delivery path (one encoding shared by every subscriber).
 */
import type { Logger } from '../lib/log.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { HookChain, HookEvent } from './hook-chain.ts';
import { HookAnswer, toHookFailure } from './hook-errors.ts';
import { createHookRecord, type HookRecord } from './hook-record.ts';
import type { HooksRegistry } from './hooks-registry.ts';

/** The caller as the realtime routes resolved it (rules/request-info's AuthInfo). */
export interface RealtimeHookAuth {
  collection: CollectionModel;
  record: Record<string, unknown>;
}

export interface RealtimeMessage {
  /** the SSE event name: the topic, or PB_CONNECT */
  name: string;
  /** the JSON text sent as the event's data */
  data: string;
}

interface RealtimeRequestHookEvent extends HookEvent {
  request: Request;
  client: { id: string };
  /** the signed-in record, or null (a guest) */
  auth: HookRecord | null;
  /** Answer with this JSON instead (return it without calling `e.next()`). */
  json(status: number, body: unknown): Response;
}

export interface RealtimeConnectHookEvent extends RealtimeRequestHookEvent {}

export interface RealtimeSubscribeHookEvent extends RealtimeRequestHookEvent {
  /** the topics about to replace the client's; change the array to change what is subscribed */
  subscriptions: string[];
}

export interface RealtimeMessageHookEvent extends HookEvent {
  client: { id: string };
  /** the record the client is bound to by its last subscription, or null */
  auth: HookRecord | null;
  /** change `name` or `data` to change what this client gets */
  message: RealtimeMessage;
}

declare module './hooks-registry.ts' {
  interface HookEvents {
    onRealtimeConnectRequest: RealtimeConnectHookEvent;
    onRealtimeSubscribeRequest: RealtimeSubscribeHookEvent;
    onRealtimeMessageSend: RealtimeMessageHookEvent;
  }
}

function hookAuth(auth: RealtimeHookAuth | null): HookRecord | null {
  return auth ? createHookRecord(auth.collection, { ...auth.record }, 'storage') : null;
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A request hook chain around `go`; throws HookAnswer when a handler answered or stopped without going on. */
async function triggerRequestChain<E extends RealtimeRequestHookEvent>(
  chain: HookChain<E>,
  name: string,
  log: Logger,
  event: Omit<E, 'next' | 'json'>,
  go: (e: E) => void,
): Promise<void> {
  let answer: Response | undefined;
  let completed = false;
  try {
    await chain.trigger({ ...event, json: (status: number, body: unknown) => (answer = jsonResponse(status, body)) } as unknown as Omit<E, 'next'>, (e) => {
      completed = true;
      go(e);
    });
  } catch (err) {
    throw toHookFailure(err, name, log);
  }
  if (!completed) throw new HookAnswer(answer ?? new Response(null, { status: 204 }));
}

/** GET /api/realtime: the connect hooks, then `open` (the stream is made there). */
export async function triggerRealtimeConnect(
  registry: HooksRegistry,
  log: Logger,
  event: { request: Request; clientId: string; auth: RealtimeHookAuth | null },
  open: () => void,
): Promise<void> {
  const chain = registry.find('onRealtimeConnectRequest');
  if (!chain) return open();
  await triggerRequestChain(chain, 'onRealtimeConnectRequest', log, { request: event.request, client: { id: event.clientId }, auth: hookAuth(event.auth) }, () => open());
}

/** POST /api/realtime, after its checks: the subscribe hooks, then `apply` with the topics as they left them. */
export async function triggerRealtimeSubscribe(
  registry: HooksRegistry,
  log: Logger,
  event: { request: Request; clientId: string; auth: RealtimeHookAuth | null; subscriptions: string[] },
  apply: (subscriptions: string[]) => void,
): Promise<void> {
  const chain = registry.find('onRealtimeSubscribeRequest');
  if (!chain) return apply(event.subscriptions);
  await triggerRequestChain(
    chain,
    'onRealtimeSubscribeRequest',
    log,
    { request: event.request, client: { id: event.clientId }, auth: hookAuth(event.auth), subscriptions: [...event.subscriptions] },
    (e) => apply(Array.isArray(e.subscriptions) ? e.subscriptions.filter((t): t is string => typeof t === 'string') : []),
  );
}

/** Runs one message through the message hooks: resolves to what to send, or null when a hook dropped it or threw (logged). */
export type RealtimeMessageHooks = (client: { id: string; auth: RealtimeHookAuth | null }, message: RealtimeMessage) => Promise<RealtimeMessage | null>;

/** The message hooks of this registry, or undefined when none is bound (the dispatcher's fast path). */
export function realtimeMessageHooks(registry: HooksRegistry, log: Logger): RealtimeMessageHooks | undefined {
  const chain = registry.find('onRealtimeMessageSend');
  if (!chain) return undefined;
  return async (client, message) => {
    let out: RealtimeMessage | null = null;
    try {
      await chain.trigger({ client: { id: client.id }, auth: hookAuth(client.auth), message: { ...message } } as Omit<RealtimeMessageHookEvent, 'next'>, (e) => {
        out = { name: String(e.message.name), data: typeof e.message.data === 'string' ? e.message.data : JSON.stringify(e.message.data) };
      });
    } catch (err) {
      log.error('hook onRealtimeMessageSend failed (the message was not sent)', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      return null;
    }
    return out;
  };
}
