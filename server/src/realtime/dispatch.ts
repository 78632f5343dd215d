/**
 * Record events → messages. Each committed change is matched against the subscription index, its
 * subscribers are grouped (same rule check: same auth version and options, or one group for all when the
 * rule and filter read nothing from the request), the groups are checked in one statement, and each
 * distinct payload is serialised once. Events are delivered one after another in commit order.
 */
import type { RecordEvent } from '../hooks/event-bus.ts';
import { formatSseMessage } from '../lib/sse.ts';
import { isRequestFree } from '../records/statement-cache.ts';
import { isSuperuser, type AuthInfo, type RequestInfo } from '../rules/request-info.ts';
import { findPassingProbes, type AccessProbe } from './access-check.ts';
import { applyAuthRecordChange, currentAuthOf } from './auth-binding.ts';
import type { Broker, RealtimeClient, Subscription } from './model.ts';
import { buildEventPayload } from './payload.ts';
import type { TopicOptions } from './topics.ts';

interface Target {
  sub: Subscription;
  rule: 'listRule' | 'viewRule';
}

export function startDispatch(broker: Broker): void {
  const core = broker.core;
  core.hooks.onRecord((event) => {
    const targets = broker.index.size > 0 ? collectTargets(broker, event) : [];
    const authChange = event.collection.type === 'auth' && broker.byAuth.has(`${event.collection.id}/${String(event.row['id'])}`);
    if (targets.length === 0 && !authChange) return;
    broker.pending++;
    broker.queue = broker.queue
      .then(async () => {
        if (authChange) applyAuthRecordChange(broker, event);
        if (targets.length > 0) await deliverEvent(broker, event, targets);
      })
      .catch((err: unknown) => core.log.error('realtime delivery failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
      .finally(() => {
        broker.pending--;
      });
  });
}

/** wire: `name/*`, `id/*` and the bare `name`/`id` use the listRule; `name/recordId`, `id/recordId` the viewRule. */
function collectTargets(broker: Broker, event: RecordEvent): Target[] {
  const { name, id } = event.collection;
  const recordId = String(event.row['id']);
  const out: Target[] = [];
  const add = (base: string, rule: Target['rule']) => {
    const set = broker.index.get(base);
    if (set) for (const sub of set) out.push({ sub, rule });
  };
  for (const base of new Set([`${name}/*`, `${id}/*`, name, id])) add(base, 'listRule');
  for (const base of new Set([`${name}/${recordId}`, `${id}/${recordId}`])) add(base, 'viewRule');
  return out;
}

/** wire: the rule check sees method GET, context "realtime", the option query/headers and the client's auth. */
function realtimeRequest(auth: AuthInfo | null, options: TopicOptions): RequestInfo {
  return { auth, method: 'GET', query: options.query, headers: options.headers, body: {}, context: 'realtime' };
}

interface Delivery {
  sub: Subscription;
  probeKey: string;
  payloadKey: string;
  info: RequestInfo;
}

async function deliverEvent(broker: Broker, event: RecordEvent, targets: Target[]): Promise<void> {
  const core = broker.core;
  const collection = core.schema.findCollection(event.collection.id);
  if (!collection || collection.type === 'view') return;
  const probes = new Map<string, AccessProbe>();
  const deliveries: Delivery[] = [];
  const auths = new Map<RealtimeClient, AuthInfo | null>();
  for (const { sub, rule } of targets) {
    const client = sub.client;
    if (client.closed) continue;
    if (!auths.has(client)) auths.set(client, currentAuthOf(core, broker, client));
    const info = realtimeRequest(auths.get(client)!, sub.options);
    const superuser = isSuperuser(info);
    const authKey = client.binding ? `${client.binding.key}@${client.binding.stamp}` : 'guest';
    const query = sub.options.query;
    const filter = query['filter'] ?? '';
    const ruleText = collection[rule];
    const requestFree = (superuser || ruleText === null || isRequestFree(ruleText, { joins: true })) && isRequestFree(filter, { joins: false });
    const probeKey = requestFree ? `${rule}|${superuser ? 'su' : '-'}|${filter}` : `${rule}|${authKey}|${sub.options.key}`;
    if (!probes.has(probeKey)) probes.set(probeKey, { key: probeKey, info, rule, filter });
    const expand = query['expand'] ?? '';
    // who looks changes the payload only for auth records (emails) or with expand (the expanded rules)
    const perViewer = collection.type === 'auth' || expand.trim() !== '';
    const payloadKey = `${superuser ? 1 : 0}|${perViewer ? `${authKey}|${sub.options.key}` : ''}|${expand}|${query['fields'] ?? ''}`;
    deliveries.push({ sub, probeKey, payloadKey, info });
  }
  if (deliveries.length === 0) return;
  const passing = await findPassingProbes(core, collection, event.row, event.action === 'delete' ? 'values' : 'table', [...probes.values()]);
  const payloads = new Map<string, string>();
  for (const d of deliveries) {
    if (!passing.has(d.probeKey)) continue;
    let payload = payloads.get(d.payloadKey);
    if (payload === undefined) {
      const query = d.sub.options.query;
      payload = await buildEventPayload(core, {
        action: event.action,
        collection,
        row: event.row,
        info: d.info,
        expand: query['expand'] ?? '',
        fields: query['fields'] ?? '',
      });
      payloads.set(d.payloadKey, payload);
    }
    d.sub.client.write(formatSseMessage(d.sub.client.id, d.sub.topic, payload));
  }
}
