/**
 * Record events → messages. Each committed change is matched against the subscription index, its
 * subscribers are grouped (same rule check: same auth version and options, or one group for all when the
 * rule and filter read nothing from the request), the groups are checked in one statement, and each
 * distinct payload is serialised once. Events are delivered one after another in commit order.
 */
import { createHash } from 'node:crypto';
import type { RecordEvent } from '../hooks/event-bus.ts';
import { realtimeMessageHooks, type RealtimeMessage, type RealtimeMessageHooks } from '../hooks/realtime-hook-points.ts';
import { formatSseEvent } from '../lib/sse.ts';
import { isRequestFree } from '../records/statement-cache.ts';
import { SUPERUSERS, type AuthInfo, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findPassingProbes, type AccessProbe } from './access-check.ts';
import { applyAuthRecordChange, authJudge } from './auth-binding.ts';
import type { Broker, DeliveryKeys, RealtimeClient, Subscription } from './model.ts';
import { buildEventPayload } from './payload.ts';
import type { TopicOptions } from './topics.ts';

const encoder = new TextEncoder();

/**
 * The subscriptions an event goes to and their rule: those there at commit (a subscription made after the
 * commit never gets it, one dropped after still does), one array per topic rather than an object per subscriber.
 */
interface Target {
  subs: readonly Subscription[];
  rule: 'listRule' | 'viewRule';
}

interface QueuedEvent {
  event: RecordEvent;
  targets: Target[];
  authChange: boolean;
}

/** The same while onRealtimeMessageSend hooks are bound: each client's messages, to be run through them one by one. */
type HookedOutbox = Map<RealtimeClient, RealtimeMessage[]>;

/** Hooks the broker to record events; returns the unhook (the broker's stop). */
export function startDispatch(broker: Broker): () => void {
  const core = broker.core;
  const waiting: QueuedEvent[] = [];
  let running = false;
  // Events that arrive together (one group commit) or pile up while a batch is delivered go out as one batch
  // (one pass of the message hooks); the writes themselves are the broker's flush passes (queueFlush), which
  // put everything a client has queued, from however many events, in one write.
  const drain = async () => {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.splice(0);
        // asked once per batch: without a message hook the shared encodings go out as they are
        const messageHooks = realtimeMessageHooks(core.hooks.registry, core.log);
        const hooked: HookedOutbox | undefined = messageHooks ? new Map() : undefined;
        for (const item of batch) {
          try {
            if (item.authChange) applyAuthRecordChange(broker, item.event);
            if (item.targets.length > 0) await deliverEvent(broker, item.event, item.targets, hooked);
          } catch (err) {
            core.log.error('realtime delivery failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
          }
        }
        if (hooked && messageHooks) await sendThroughMessageHooks(hooked, messageHooks);
        broker.pending -= batch.length;
      }
    } finally {
      running = false;
    }
  };
  return core.hooks.onRecord((event) => {
    const targets = broker.index.size > 0 ? collectTargets(broker, event) : [];
    const authChange = event.collection.type === 'auth' && broker.byAuth.has(`${event.collection.id}/${String(event.row['id'])}`);
    if (targets.length === 0 && !authChange) return;
    broker.pending++;
    waiting.push({ event, targets, authChange });
    if (!running) broker.queue = drain();
  });
}

/** wire: `name/*`, `id/*` and the bare `name`/`id` use the listRule; `name/recordId`, `id/recordId` the viewRule. */
function collectTargets(broker: Broker, event: RecordEvent): Target[] {
  const { name, id } = event.collection;
  const recordId = String(event.row['id']);
  const out: Target[] = [];
  const add = (base: string, rule: Target['rule']) => {
    const subs = broker.index.get(base);
    if (subs && subs.size > 0) out.push({ subs: [...subs], rule });
  };
  for (const base of new Set([`${name}/*`, `${id}/*`, name, id])) add(base, 'listRule');
  for (const base of new Set([`${name}/${recordId}`, `${id}/${recordId}`])) add(base, 'viewRule');
  return out;
}

/** wire: the rule check sees method GET, context "realtime", the option query/headers and the client's auth. */
function realtimeRequest(auth: AuthInfo | null, options: TopicOptions): RequestInfo {
  return { auth, method: 'GET', query: options.query, headers: options.headers, body: {}, context: 'realtime' };
}

/**
 * A subscription's grouping keys, computed once per schema and auth version (string keys built per event and
 * subscriber were the hot spot at 1000 subscribers). The probe key leaves the auth out when the rule and
 * the filter read nothing from the request; the payload key keeps it only when the viewer changes the record
 * (auth collections' emails, expand's rules); the group key adds the topic (the frame's event name).
 */
function keysOf(sub: Subscription, collection: CollectionModel, rule: Target['rule'], schema: object): DeliveryKeys {
  const binding = sub.client.binding;
  const stamp = binding ? binding.stamp : 0;
  const cached = sub.keys;
  if (cached && cached.schema === schema && cached.stamp === stamp && cached.collectionId === collection.id) return cached;
  const superuser = binding ? binding.auth.collection.name === SUPERUSERS : false;
  const authKey = binding ? `${binding.key}@${stamp}` : 'guest';
  const query = sub.options.query;
  const filter = query['filter'] ?? '';
  const ruleText = collection[rule];
  const requestFree = (superuser || ruleText === null || isRequestFree(ruleText, { joins: true })) && isRequestFree(filter, { joins: false });
  const probeKey = requestFree ? `${rule}|${superuser ? 'su' : '-'}|${compactKey(filter)}` : `${rule}|${authKey}|${sub.options.key}`;
  const expand = query['expand'] ?? '';
  const perViewer = collection.type === 'auth' || expand.trim() !== '';
  const shape = compactKey(`${expand}|${query['fields'] ?? ''}`);
  const payloadKey = `${superuser ? 1 : 0}|${perViewer ? `${authKey}|${sub.options.key}` : ''}|${shape}`;
  const groupKey = `${collection.id}\n${compactKey(sub.topic)}\n${probeKey}\n${payloadKey}`;
  const keys: DeliveryKeys = { schema, collectionId: collection.id, stamp, rule, probeKey, payloadKey, filter, groupKey };
  sub.keys = keys;
  return keys;
}

/**
 * A grouping key kept per subscription: options may be 2500 characters, and a key built from them is a copy
 * per subscription (measured: ~28 KB per subscription per event with distinct long filters), so long ones
 * become a digest.
 */
function compactKey(text: string): string {
  return text.length <= 64 ? text : createHash('sha256').update(text).digest('base64');
}

/** Each client's messages through the onRealtimeMessageSend hooks, in order; what they let through is sent in one write. */
async function sendThroughMessageHooks(hooked: HookedOutbox, hooks: RealtimeMessageHooks): Promise<void> {
  for (const [client, messages] of hooked) {
    const chunks: Uint8Array[] = [];
    for (const message of messages) {
      if (client.closed) break;
      const out = await hooks({ id: client.id, auth: client.binding?.auth ?? null }, message);
      if (out) chunks.push(encoder.encode(formatSseEvent(out.name, out.data)));
    }
    if (chunks.length > 0) client.send(chunks);
  }
}

/**
 * Subscribers with one group key (keysOf) in one event: they share the rule check's verdict and the frame.
 * `sub` stands for the group: its auth and options are the group's (equal keys, equal inputs).
 */
interface EventGroup {
  sub: Subscription;
  keys: DeliveryKeys;
  /** the request its check and payload see, taken when the group is found (a client may re-bind during an await) */
  info: RequestInfo;
  /** the encoded frame once the group passed its check (no message hooks) */
  frame?: Uint8Array;
}

/**
 * One event to its subscribers: a pass over them that judges each client's auth and finds its group, one
 * rule check per distinct probe (access-check.ts: one statement for all), one payload per distinct payload
 * key, one frame per group, then a pass that queues each subscriber its group's frame. Per subscriber this
 * is a few property reads and two array pushes; everything costly is per group.
 */
async function deliverEvent(broker: Broker, event: RecordEvent, targets: Target[], hooked?: HookedOutbox): Promise<void> {
  const core = broker.core;
  const schema = core.schema;
  const collection = schema.findCollection(event.collection.id);
  if (!collection || collection.type === 'view') return;
  const judge = authJudge(core, broker);
  const groups = new Map<string, EventGroup>();
  const subs: Subscription[] = [];
  const subGroups: EventGroup[] = [];
  for (const { subs: set, rule } of targets) {
    for (const sub of set) {
      const client = sub.client;
      if (client.closed) continue;
      // the auth is judged for every event (it may end here: token secret changed, collection gone)
      judge(client);
      const keys = keysOf(sub, collection, rule, schema);
      let group = groups.get(keys.groupKey);
      if (!group) groups.set(keys.groupKey, (group = { sub, keys, info: realtimeRequest(client.binding?.auth ?? null, sub.options) }));
      subs.push(sub);
      subGroups.push(group);
    }
  }
  if (subs.length === 0) return;
  const probes = new Map<string, AccessProbe>();
  for (const { keys, info } of groups.values()) {
    if (!probes.has(keys.probeKey)) probes.set(keys.probeKey, { key: keys.probeKey, info, rule: keys.rule, filter: keys.filter });
  }
  // another instance's change may be changed again or deleted by the time it is heard: judged by its values too
  const source = event.action === 'delete' || event.fromAnotherInstance ? 'values' : 'table';
  const passing = await findPassingProbes(core, collection, event.row, source, [...probes.values()]);
  const payloads = new Map<string, string>();
  const payloadFor = async ({ sub, keys, info }: EventGroup): Promise<string> => {
    let payload = payloads.get(keys.payloadKey);
    if (payload === undefined) {
      const query = sub.options.query;
      payload = await buildEventPayload(core, {
        action: event.action,
        collection,
        row: event.row,
        info,
        expand: query['expand'] ?? '',
        fields: query['fields'] ?? '',
      });
      payloads.set(keys.payloadKey, payload);
    }
    return payload;
  };
  if (hooked) {
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      const group = subGroups[i]!;
      if (!passing.has(group.keys.probeKey)) continue;
      const message = { name: sub.topic, data: await payloadFor(group) };
      const list = hooked.get(sub.client);
      if (list) list.push(message);
      else hooked.set(sub.client, [message]);
    }
    return;
  }
  // one encoding per group, however many clients it has
  for (const group of groups.values()) {
    if (passing.has(group.keys.probeKey)) group.frame = encoder.encode(formatSseEvent(group.sub.topic, await payloadFor(group)));
  }
  for (let i = 0; i < subs.length; i++) {
    const frame = subGroups[i]!.frame;
    if (frame) subs[i]!.client.push(frame);
  }
}
