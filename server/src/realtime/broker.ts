/**
 * The subscription broker of one Galley: who is connected, to which topics, and the one place that forgets
 * a client (its subscriptions, its auth index entry) when it goes, so nothing outlives a vanished stream.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { realtimeMessageHooks } from '../hooks/realtime-hook-points.ts';
import { formatSseEvent } from '../lib/sse.ts';
import { createAccessChecks } from './access-check.ts';
import { unindexAuth } from './auth-binding.ts';
import { startDispatch } from './dispatch.ts';
import { DEFAULT_REALTIME_LIMITS, type Broker, type RealtimeClient, type RealtimeLimits, type Subscription } from './model.ts';
import { forgetTopic } from './topic-groups.ts';
import { parseTopic } from './topics.ts';

/** The broker of one Galley (createGalley makes it at start, held as `core.realtime`), hooked to record events. */
export function createRealtimeBroker(core: Core): Broker & { stop(): Promise<void> } {
  const broker: Broker = {
    core,
    limits: { ...DEFAULT_REALTIME_LIMITS },
    clients: new Map(),
    index: new Map(),
    topicSubs: new Map(),
    topicGroups: new Map(),
    byAuth: new Map(),
    streamsByIp: new Map(),
    queue: Promise.resolve(),
    pending: 0,
    sweeper: undefined,
    flush: { dirty: [], timer: undefined, scheduled: false, nextAt: 0, measuring: false, measure: undefined, scratch: new Uint8Array(0) },
    accessChecks: createAccessChecks(),
  };
  const unhook = startDispatch(broker);
  return Object.assign(broker, {
    /** Stop taking events, end every stream, and wait for the batch being delivered. */
    async stop() {
      unhook();
      for (const client of [...broker.clients.values()]) client.close();
      stopSweeper(broker);
      if (broker.flush.timer) clearTimeout(broker.flush.timer);
      if (broker.flush.measure) clearImmediate(broker.flush.measure);
      broker.flush.timer = undefined;
      broker.flush.measure = undefined;
      while (broker.pending > 0) await broker.queue;
    },
  });
}

/** The broker of `core` (kept for callers that hold only the core). */
export function brokerOf(core: Core): Broker {
  return core.realtime;
}

/** Change the limits (tests shorten the timeouts; an embedder may lengthen them). */
export function configureRealtime(core: Core, limits: Partial<RealtimeLimits>): void {
  const broker = brokerOf(core);
  broker.limits = { ...broker.limits, ...limits };
  stopSweeper(broker);
  if (broker.clients.size > 0) startSweeper(broker);
}

/**
 * Take one of `ip`'s stream slots (settings `realtime.maxStreamsPerIp`), or throw 429: one address cannot
 * hold more streams, and so more subscription sets, than that. An unknown address ("") is not counted.
 */
export function claimStreamSlot(broker: Broker, ip: string): void {
  if (ip === '') return;
  const open = broker.streamsByIp.get(ip) ?? 0;
  if (open >= broker.core.settings.current().realtime.maxStreamsPerIp) {
    throw new GalleyError('rate_limited', 'Too many open realtime connections from this address.');
  }
  broker.streamsByIp.set(ip, open + 1);
}

function releaseStreamSlot(broker: Broker, ip: string): void {
  const open = broker.streamsByIp.get(ip);
  if (open === undefined) return;
  if (open <= 1) broker.streamsByIp.delete(ip);
  else broker.streamsByIp.set(ip, open - 1);
}

/** The longest a slow pass holds the next back. */
const MAX_PASS_GAP_MS = 1000;

/**
 * How long a pass holds the next back, as a share of its own time. Modelled with the real passes over 1000
 * fake clients (8 µs per write, an event to all every 20 ms; scratch script): queue-to-write p50 25-34 ms at
 * 1, 18-20 ms at 0.5, 13-18 ms at 0.25; at 0 the passes took the CPU and events fell behind (214 of 300 on
 * time). At 10k subscribers 0.5 lost no throughput against 1 (bench, alternating runs).
 */
const PASS_HOLD_SHARE = 0.5;

/**
 * The most one flush pass writes in all: the clients it does not reach go first in the next pass. A pass's
 * time follows its bytes (each is copied into a socket buffer), and it blocks the event loop while it runs:
 * at 10k clients × 16 KiB (stream.ts MAX_WRITE_BYTES) one pass could write 160 MiB.
 */
const MAX_PASS_BYTES = 16 * 1024 * 1024;

/**
 * Ask for `client`'s queued messages to be written in the next flush pass. Every write to a client is made by
 * a pass, which writes to every client with messages waiting. The next pass waits for the later of: N /
 * limits.writesPerSecond after a pass of N writes, and half as long again as the pass took (PASS_HOLD_SHARE),
 * measured until the writes it handed over were made (up to the next setImmediate, after the sink's flush):
 * writes then take at most about two thirds of the time, however slow they are on a loaded machine. Without the
 * second bound a server behind on CPU wrote each event in a pass of its own (a pass ran between one event
 * and the next), one socket write per message, and fell further behind (measured at 10k subscribers: as
 * many writes as messages). The wait is capped (MAX_PASS_GAP_MS), and so is what one pass writes
 * (MAX_PASS_BYTES, and stream.ts MAX_WRITE_BYTES per client).
 */
export function queueFlush(broker: Broker, client: RealtimeClient): void {
  const flush = broker.flush;
  // a flag on the client, not a Set of clients: at 10k subscribers a pass queues 10k clients, a lookup each
  if (!client.queued) {
    client.queued = true;
    flush.dirty.push(client);
  }
  if (flush.scheduled || flush.measuring) return;
  scheduleFlushPass(broker);
}

function scheduleFlushPass(broker: Broker): void {
  const flush = broker.flush;
  flush.scheduled = true;
  const wait = flush.nextAt - performance.now();
  // no wait: after the current task's sends (a batch of events is one pass), before any other I/O
  if (wait <= 0) queueMicrotask(() => runFlushPass(broker));
  else flush.timer = setTimeout(() => runFlushPass(broker), Math.ceil(wait));
}

function runFlushPass(broker: Broker): void {
  const flush = broker.flush;
  flush.scheduled = false;
  flush.timer = undefined;
  if (flush.dirty.length === 0 || flush.measuring) return;
  const clients = flush.dirty;
  flush.dirty = [];
  const started = performance.now();
  // from here until the writes are timed no pass is scheduled: a client with more than one write's worth
  // waiting is queued again by its deliver() for the next pass
  flush.measuring = true;
  let writes = 0;
  let budget = MAX_PASS_BYTES;
  try {
    let i = 0;
    while (i < clients.length && budget > 0) {
      const client = clients[i++]!;
      // cleared before the write: a client with more waiting than one write takes is queued again by it
      client.queued = false;
      // a client closed since it was queued is skipped here rather than looked for in the list when it closes
      if (client.closed) continue;
      const wrote = client.deliver();
      if (wrote > 0) writes++;
      budget -= wrote;
    }
    if (i < clients.length) requeueFirst(flush, clients.slice(i));
  } finally {
    // (in a finally: a pass left measuring would stop every later one)
    flush.nextAt = started + (writes * 1000) / broker.limits.writesPerSecond;
    flush.measure = setImmediate(() => {
      flush.measuring = false;
      flush.measure = undefined;
      const ended = performance.now();
      if (writes > 0) flush.nextAt = Math.max(flush.nextAt, ended + Math.min((ended - started) * PASS_HOLD_SHARE, MAX_PASS_GAP_MS));
      if (flush.dirty.length > 0 && !flush.scheduled) scheduleFlushPass(broker);
    });
  }
}

/**
 * Put `clients` (still flagged queued: none of them is in `flush.dirty` twice) at the head of the next pass,
 * before those queued since this one began.
 */
function requeueFirst(flush: Broker['flush'], clients: RealtimeClient[]): void {
  const first = clients.filter((client) => !client.closed);
  for (const client of flush.dirty) first.push(client);
  flush.dirty = first;
}

/** Register a client whose stream slot (claimStreamSlot) is taken; removeClient gives the slot back. */
export function registerClient(broker: Broker, client: RealtimeClient): void {
  broker.clients.set(client.id, client);
  if (!broker.sweeper) startSweeper(broker);
}

/** Forget a client and everything indexed under it. */
export function removeClient(broker: Broker, client: RealtimeClient): void {
  if (broker.clients.get(client.id) !== client) return;
  broker.clients.delete(client.id);
  releaseStreamSlot(broker, client.ip);
  dropSubscriptions(broker, client);
  unindexAuth(broker, client);
  if (broker.clients.size === 0) stopSweeper(broker);
}

function dropSubscriptions(broker: Broker, client: RealtimeClient): void {
  for (const sub of client.subscriptions.values()) {
    const set = broker.index.get(sub.base);
    set?.delete(sub);
    if (set?.size === 0) broker.index.delete(sub.base);
    forgetTopic(broker, sub.base);
  }
  client.subscriptions.clear();
}

/** wire: a subscription POST replaces the whole set (an empty list unsubscribes from everything). */
export function replaceSubscriptions(broker: Broker, client: RealtimeClient, topics: readonly string[]): void {
  dropSubscriptions(broker, client);
  for (const topic of topics) {
    if (topic === '' || client.subscriptions.has(topic)) continue;
    const parsed = parseTopic(topic);
    const sub: Subscription = { client, topic, base: parsed.base, options: parsed.options };
    client.subscriptions.set(topic, sub);
    let set = broker.index.get(sub.base);
    if (!set) broker.index.set(sub.base, (set = new Set()));
    set.add(sub);
    forgetTopic(broker, sub.base);
  }
}

/**
 * Send one message to one client on a topic it subscribed to (the OAuth2 all-in-one flow's `@oauth2`).
 * False when there is no such client, it did not subscribe to `topic`, or `opts.ip` differs from the IP it
 * connected from (wire: PocketBase's redirect checks both). `opts.unsubscribe` drops the topic after sending.
 */
export function sendToClient(
  core: Core,
  clientId: string,
  topic: string,
  data: unknown,
  opts: { ip?: string; unsubscribe?: boolean } = {},
): boolean {
  const broker = core.realtime;
  const client = broker.clients.get(clientId);
  if (!client || client.closed || !client.subscriptions.has(topic)) return false;
  if (opts.ip !== undefined && client.ip !== '' && client.ip !== opts.ip) return false;
  const message = { name: topic, data: typeof data === 'string' ? data : JSON.stringify(data) };
  const messageHooks = realtimeMessageHooks(core.hooks.registry, core.log);
  let sent = true;
  if (!messageHooks) sent = client.send([new TextEncoder().encode(formatSseEvent(message.name, message.data))]);
  // through onRealtimeMessageSend like every other message: what a hook lets through goes out once it is done
  else {
    void messageHooks({ id: client.id, auth: client.binding?.auth ?? null }, message).then((out) => {
      if (out && !client.closed) client.send([new TextEncoder().encode(formatSseEvent(out.name, out.data))]);
    });
  }
  if (opts.unsubscribe) replaceSubscriptions(broker, client, [...client.subscriptions.keys()].filter((t) => t !== topic));
  return sent;
}

/** What the broker holds now (tests check that vanished clients leave nothing behind). */
export function realtimeStats(core: Core): { clients: number; topics: number; subscriptions: number; authBindings: number; pending: number; ips: number } {
  const broker = core.realtime;
  let subscriptions = 0;
  for (const set of broker.index.values()) subscriptions += set.size;
  return {
    clients: broker.clients.size,
    topics: broker.index.size,
    subscriptions,
    authBindings: broker.byAuth.size,
    pending: broker.pending,
    ips: broker.streamsByIp.size,
  };
}

/** Resolves once every event emitted so far has been delivered (tests, benchmarks). */
export async function whenRealtimeIdle(core: Core): Promise<void> {
  const broker = core.realtime;
  while (broker.pending > 0) await broker.queue;
}

/** Close every stream (shutdown). */
export function closeAllClients(core: Core): void {
  for (const client of [...core.realtime.clients.values()]) client.close();
}

/** One timer for all clients: idle and lifetime limits are checked a few times per limit. */
function startSweeper(broker: Broker): void {
  const { idleTimeoutMs, maxLifetimeMs } = broker.limits;
  const period = Math.min(15_000, Math.max(20, Math.floor(Math.min(idleTimeoutMs, maxLifetimeMs) / 5)));
  broker.sweeper = setInterval(() => sweepClients(broker), period);
  (broker.sweeper as { unref?: () => void }).unref?.();
}

function stopSweeper(broker: Broker): void {
  if (broker.sweeper) clearInterval(broker.sweeper);
  broker.sweeper = undefined;
}

function sweepClients(broker: Broker): void {
  const now = Date.now();
  const { idleTimeoutMs, maxLifetimeMs } = broker.limits;
  for (const client of [...broker.clients.values()]) {
    if (now - client.lastSentAt >= idleTimeoutMs || now - client.openedAt >= maxLifetimeMs) client.close();
  }
}
