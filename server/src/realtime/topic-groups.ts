/**
 * A topic's subscribers, grouped for delivery and kept between events. An event's subscribers are grouped by
 * their rule check and frame (same auth version and options, or one group for all when the rule and filter
 * read nothing from the request); at 10k subscribers, finding each one's group per event was a tenth of the
 * server's samples. The grouping of a topic is kept until what it was made from changes: its subscriptions
 * (a client subscribes, unsubscribes or leaves: forgetTopic), a subscribed client's auth (bound, re-bound,
 * updated or ended: forgetClientGroups), the schema (rules, collections) or an auth collection's token secret
 * (both checked per event).
 */
import { createHash } from 'node:crypto';
import type { Core } from '../core.ts';
import { isRequestFree } from '../records/statement-cache.ts';
import { SUPERUSERS, type AuthInfo, type RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { Broker, DeliveryKeys, RealtimeClient, Subscription, SubscriberGroup, TopicGroups } from './model.ts';
import type { TopicOptions } from './topics.ts';

export type DeliveryRule = 'listRule' | 'viewRule';

/**
 * The subscriptions of `base` as they are now, as an array that is replaced, never changed, when one comes or
 * goes: an event keeps the array it was committed with (a subscription made after the commit never gets it,
 * one dropped after still does) without a copy per event.
 */
export function topicSubscriptions(broker: Broker, base: string): readonly Subscription[] | undefined {
  let subs = broker.topicSubs.get(base);
  if (subs) return subs;
  const set = broker.index.get(base);
  if (!set || set.size === 0) return undefined;
  broker.topicSubs.set(base, (subs = [...set]));
  return subs;
}

/** `base` gained or lost a subscription: its array and grouping are made again when next needed. */
export function forgetTopic(broker: Broker, base: string): void {
  broker.topicSubs.delete(base);
  broker.topicGroups.delete(base);
}

/** `client`'s auth changed: the grouping of every topic it subscribed to is made again when next needed. */
export function forgetClientGroups(broker: Broker, client: RealtimeClient): void {
  for (const sub of client.subscriptions.values()) broker.topicGroups.delete(sub.base);
}

/** wire: the rule check sees method GET, context "realtime", the option query/headers and the client's auth. */
function realtimeRequest(auth: AuthInfo | null, options: TopicOptions): RequestInfo {
  // the binding's record is the auth as of the event being judged (updates applied in commit order): rules read it, not the table
  return { auth: auth && { ...auth, fromRecord: true }, method: 'GET', query: options.query, headers: options.headers, body: {}, context: 'realtime' };
}

/** An auth collection's token secret as one event saw it (asked once per event, not per topic). */
export type SecretsSeen = Map<string, string>;

function secretNow(core: Core, seen: SecretsSeen, collectionId: string): string {
  let secret = seen.get(collectionId);
  if (secret === undefined) seen.set(collectionId, (secret = core.secrets.tokenSecret(collectionId, 'auth')));
  return secret;
}

/**
 * The groups of `subs` (the subscriptions of `base` an event was committed with) for an event of `collection`
 * judged by `rule`: the kept grouping when it was made from these subscriptions under this schema and every
 * auth collection's token secret is unchanged, else a new one, each client's auth judged again by `judge`
 * (auth-binding.ts authJudge: a binding whose collection is gone or whose secret changed ends) and kept.
 */
export function groupSubscribers(
  broker: Broker,
  base: string,
  subs: readonly Subscription[],
  collection: CollectionModel,
  rule: DeliveryRule,
  judge: (client: RealtimeClient) => void,
  seen: SecretsSeen,
): TopicGroups {
  const core = broker.core;
  const schema = core.schema;
  const kept = broker.topicGroups.get(base);
  if (kept && kept.subs === subs && kept.schema === schema && kept.collectionId === collection.id && kept.rule === rule && secretsUnchanged(core, kept, seen)) {
    return kept;
  }
  const byKey = new Map<string, SubscriberGroup>();
  const secrets = new Map<string, string>();
  for (const sub of subs) {
    const client = sub.client;
    if (client.closed) continue;
    judge(client);
    const keys = keysOf(sub, collection, rule, schema);
    let group = byKey.get(keys.groupKey);
    if (!group) byKey.set(keys.groupKey, (group = { sub, keys, info: realtimeRequest(client.binding?.auth ?? null, sub.options), clients: [] }));
    group.clients.push(client);
    const binding = client.binding;
    if (binding) secrets.set(binding.auth.collection.id, binding.secret);
  }
  const groups: TopicGroups = { subs, schema, collectionId: collection.id, rule, secrets: [...secrets], groups: [...byKey.values()] };
  // judging may have ended a binding, which forgot this topic's grouping: this one is made after it
  broker.topicGroups.set(base, groups);
  return groups;
}

function secretsUnchanged(core: Core, groups: TopicGroups, seen: SecretsSeen): boolean {
  for (const [collectionId, secret] of groups.secrets) {
    if (secretNow(core, seen, collectionId) !== secret) return false;
  }
  return true;
}

/**
 * A subscription's grouping keys, computed once per schema and auth version (a topic's grouping is made again
 * whenever one client's auth changes, the others' keys are reused). The probe key leaves the auth out when the
 * rule and the filter read nothing from the request; the payload key keeps it only when the viewer changes
 * the record (auth collections' emails, expand's rules); the group key adds the topic (the frame's event name).
 */
function keysOf(sub: Subscription, collection: CollectionModel, rule: DeliveryRule, schema: object): DeliveryKeys {
  const binding = sub.client.binding;
  const stamp = binding ? binding.stamp : 0;
  const cached = sub.keys;
  if (cached && cached.schema === schema && cached.stamp === stamp && cached.collectionId === collection.id && cached.rule === rule) return cached;
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
