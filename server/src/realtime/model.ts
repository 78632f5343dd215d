/** The realtime broker's data: clients, their subscriptions, their auth, and the limits they live under. */
import type { Core } from '../core.ts';
import type { AuthInfo, RequestInfo } from '../rules/request-info.ts';
import type { AccessChecks } from './access-check.ts';
import type { TopicOptions } from './topics.ts';

export interface RealtimeLimits {
  /** wire: PocketBase closes a stream after 5 min without a message sent */
  idleTimeoutMs: number;
  /** wire: and after 30 min in all (the SDK reconnects and resubmits) */
  maxLifetimeMs: number;
  /** wire: PocketBase's form caps: 1000 topics per POST, 2500 characters each */
  maxTopics: number;
  maxTopicLength: number;
  /** a client that lets this many bytes queue up unread is dropped (it reconnects) */
  maxBufferedBytes: number;
  /**
   * Socket writes per second the broker aims to stay under across all clients. Each pass hands every client
   * its waiting messages in one write; after a pass of N writes the next waits N / this seconds, so many
   * subscribers get fewer, larger writes (10k subscribers: a pass every 100 ms) while a few get each message
   * at once (1k: 10 ms, below the gap between events at 50/s). A write costs the server and the reader a
   * syscall each, whatever its size: at 10k subscribers, writes, not rule checks, were the cost.
   */
  writesPerSecond: number;
}

export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = Object.freeze({
  idleTimeoutMs: 5 * 60_000,
  maxLifetimeMs: 30 * 60_000,
  maxTopics: 1000,
  maxTopicLength: 2500,
  maxBufferedBytes: 1024 * 1024,
  writesPerSecond: 100_000,
});

/** The auth a client was bound to by its subscription POST, as it stands now. */
export interface AuthBinding {
  auth: AuthInfo;
  /** `${collectionId}/${recordId}` */
  key: string;
  /** the tokenKey the token was signed with: a new one ends the binding (wire: as PocketBase) */
  tokenKey: unknown;
  /** the collection's auth-token secret then: a new one ends the binding too */
  secret: string;
  /** changes whenever `auth.record` is replaced, so compiled rule checks are never reused across versions */
  stamp: number;
}

export interface Subscription {
  readonly client: RealtimeClient;
  /** as subscribed, the event name of its messages */
  readonly topic: string;
  readonly base: string;
  readonly options: TopicOptions;
  /** its grouping keys, kept while the schema and the client's auth stay the same (topic-groups.ts) */
  keys?: DeliveryKeys;
}

export interface DeliveryKeys {
  readonly schema: object;
  readonly collectionId: string;
  /** the client's binding stamp when computed (0: guest) */
  readonly stamp: number;
  /** the rule its topic is judged by (a record topic: viewRule) */
  readonly rule: 'listRule' | 'viewRule';
  /** subscribers with one probe key share one rule check */
  readonly probeKey: string;
  /** subscribers with one payload key share one serialised record */
  readonly payloadKey: string;
  readonly filter: string;
  /**
   * subscribers with one group key share one frame (`event:<topic>` + the payload): the collection, the topic
   * (a digest when long), the probe and the payload key. Equal keys mean equal inputs, so sharing is safe.
   */
  readonly groupKey: string;
}

/** Subscribers of one topic with one group key: they share the rule check's verdict and the frame. */
export interface SubscriberGroup {
  /** stands for the group: its auth and options are the group's (equal keys, equal inputs) */
  readonly sub: Subscription;
  readonly keys: DeliveryKeys;
  /** the request its check and payload see */
  readonly info: RequestInfo;
  readonly clients: RealtimeClient[];
}

/** A topic's subscribers grouped for delivery, and what the grouping was made from (topic-groups.ts). */
export interface TopicGroups {
  readonly subs: readonly Subscription[];
  readonly schema: object;
  readonly collectionId: string;
  readonly rule: 'listRule' | 'viewRule';
  /** [auth collection id, its token secret] of every bound client then */
  readonly secrets: readonly (readonly [string, string])[];
  readonly groups: readonly SubscriberGroup[];
}

export interface RealtimeClient {
  readonly id: string;
  /** the client's IP when it connected ("" when unknown: then no IP check) */
  readonly ip: string;
  readonly openedAt: number;
  /** when a flush pass last wrote to it (the idle timeout counts from there) */
  lastSentAt: number;
  binding: AuthBinding | null;
  /** topic → subscription */
  subscriptions: Map<string, Subscription>;
  closed: boolean;
  /** it is in the broker's list for the next flush pass (broker.ts queueFlush sets it, the pass clears it) */
  queued: boolean;
  /**
   * Queue messages for the broker's next flush pass, which writes everything queued in one write: each is its
   * encoded `event:…\ndata:…\n\n` part (lib/sse formatSseEvent), shared by every client it goes to; the
   * client puts its own id line in front of each. False when the client is gone or was dropped for not reading.
   */
  send(events: readonly Uint8Array[]): boolean;
  /** `send` of one message (the dispatcher's per-subscriber path: no array per message) */
  push(event: Uint8Array): boolean;
  /** write what `send` queued if the connection is ready for it (the broker's flush pass); the bytes it wrote */
  deliver(): number;
  /** end the stream and forget the client */
  close(): void;
}

/** The broker's flush passes: clients with queued messages, and when the next pass may run. */
export interface FlushState {
  /** clients for the next pass, each once (its `queued` flag); one closed meanwhile is skipped by the pass */
  dirty: RealtimeClient[];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** a pass is scheduled (timer or microtask) */
  scheduled: boolean;
  /** performance.now() before which no pass runs */
  nextAt: number;
  /** a pass's writes are being timed (until its setImmediate): no pass runs meanwhile */
  measuring: boolean;
  measure: ReturnType<typeof setImmediate> | undefined;
  /** where a pass builds each socket writer client's one write (stream.ts writeWaiting); the sink copies it */
  scratch: Uint8Array;
}

export interface Broker {
  readonly core: Core;
  limits: RealtimeLimits;
  readonly clients: Map<string, RealtimeClient>;
  /** base topic → its subscriptions (every client's) */
  readonly index: Map<string, Set<Subscription>>;
  /** base topic → its subscriptions as an array replaced whenever the set changes (topic-groups.ts topicSubscriptions) */
  readonly topicSubs: Map<string, readonly Subscription[]>;
  /** base topic → its subscribers' grouping, kept between events (topic-groups.ts groupSubscribers) */
  readonly topicGroups: Map<string, TopicGroups>;
  /** binding key → the clients bound to that auth record */
  readonly byAuth: Map<string, Set<RealtimeClient>>;
  /** client IP → its open streams (settings `realtime.maxStreamsPerIp`) */
  readonly streamsByIp: Map<string, number>;
  /** events are delivered one after another, in commit order */
  queue: Promise<void>;
  pending: number;
  sweeper: ReturnType<typeof setInterval> | undefined;
  readonly flush: FlushState;
  /** the access checks compiled for the current schema (access-check.ts) */
  readonly accessChecks: AccessChecks;
}
