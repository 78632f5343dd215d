/**
 * Record events → messages. Each committed change is matched against the subscription index, its
 * subscribers' groups are taken (topic-groups.ts: same rule check: same auth version and options, or one
 * group for all when the rule and filter read nothing from the request), the groups are checked in one
 * statement, and each distinct payload is serialised once. Events are delivered one after another in commit order.
 */
import type { RecordEvent } from '../hooks/event-bus.ts';
import { realtimeMessageHooks, type RealtimeMessage, type RealtimeMessageHooks } from '../hooks/realtime-hook-points.ts';
import { formatSseEvent } from '../lib/sse.ts';
import { findPassingProbes, type AccessProbe } from './access-check.ts';
import { applyAuthRecordChange, authJudge } from './auth-binding.ts';
import type { Broker, RealtimeClient, SubscriberGroup, Subscription } from './model.ts';
import { buildEventPayload } from './payload.ts';
import { groupSubscribers, topicSubscriptions, type DeliveryRule, type SecretsSeen } from './topic-groups.ts';

const encoder = new TextEncoder();

/**
 * The subscriptions an event goes to and their rule: those there at commit (a subscription made after the
 * commit never gets it, one dropped after still does), one array per topic rather than an object per subscriber.
 */
interface Target {
  base: string;
  subs: readonly Subscription[];
  rule: DeliveryRule;
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
  const add = (base: string, rule: DeliveryRule) => {
    const subs = topicSubscriptions(broker, base);
    if (subs) out.push({ base, subs, rule });
  };
  for (const base of new Set([`${name}/*`, `${id}/*`, name, id])) add(base, 'listRule');
  for (const base of new Set([`${name}/${recordId}`, `${id}/${recordId}`])) add(base, 'viewRule');
  return out;
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

/** A topic's group in one event: its frame once the group passed its check (no message hooks). */
interface EventGroup {
  group: SubscriberGroup;
  frame?: Uint8Array;
}

/**
 * One event to its subscribers: each topic's groups (topic-groups.ts: kept between events, made again when a
 * subscription, a client's auth, the schema or a token secret changed), one rule check per distinct probe
 * (access-check.ts: one statement for all), one payload per distinct payload key, one frame per group, then
 * a pass that queues each group's clients its frame. Per subscriber this is a closed check and a push.
 */
async function deliverEvent(broker: Broker, event: RecordEvent, targets: Target[], hooked?: HookedOutbox): Promise<void> {
  const core = broker.core;
  const collection = core.schema.findCollection(event.collection.id);
  if (!collection || collection.type === 'view') return;
  const judge = authJudge(core, broker);
  const seen: SecretsSeen = new Map();
  const eventGroups: EventGroup[] = [];
  for (const { base, subs, rule } of targets) {
    for (const group of groupSubscribers(broker, base, subs, collection, rule, judge, seen).groups) eventGroups.push({ group });
  }
  if (eventGroups.length === 0) return;
  const probes = new Map<string, AccessProbe>();
  for (const { group } of eventGroups) {
    const { keys, info } = group;
    if (!probes.has(keys.probeKey)) probes.set(keys.probeKey, { key: keys.probeKey, info, rule: keys.rule, filter: keys.filter });
  }
  // Judged by the row as committed, not as the table is when the check runs: another instance's change may be
  // changed again or deleted by the time it is heard, and on PostgreSQL the check is a read on the pool that later
  // commits overtake (a create, then its delete, judged after the delete: the row was gone and the create never
  // sent). SQLite keeps the id lookup (the values' cost there not measured): its checks were not seen overtaken in
  // the routes tests, but one held behind a slow onRealtimeMessageSend hook can still meet a later delete (open).
  const source = event.action === 'delete' || event.fromAnotherInstance || core.db.dialect.name !== 'sqlite' ? 'values' : 'table';
  const passing = await findPassingProbes(core, collection, event.row, source, [...probes.values()]);
  const payloads = new Map<string, string>();
  const payloadFor = async ({ sub, keys, info }: SubscriberGroup): Promise<string> => {
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
    for (const { group } of eventGroups) {
      if (!passing.has(group.keys.probeKey)) continue;
      const data = await payloadFor(group);
      for (const client of group.clients) {
        if (client.closed) continue;
        const message = { name: group.sub.topic, data };
        const list = hooked.get(client);
        if (list) list.push(message);
        else hooked.set(client, [message]);
      }
    }
    return;
  }
  // one encoding per group, however many clients it has
  for (const item of eventGroups) {
    if (passing.has(item.group.keys.probeKey)) item.frame = encoder.encode(formatSseEvent(item.group.sub.topic, await payloadFor(item.group)));
  }
  for (const { group, frame } of eventGroups) {
    if (!frame) continue;
    for (const client of group.clients) if (!client.closed) client.push(frame);
  }
}
