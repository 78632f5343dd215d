/** The realtime broker's data: clients, their subscriptions, their auth, and the limits they live under. */
import type { Core } from '../core.ts';
import type { AuthInfo } from '../rules/request-info.ts';
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
}

export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = Object.freeze({
  idleTimeoutMs: 5 * 60_000,
  maxLifetimeMs: 30 * 60_000,
  maxTopics: 1000,
  maxTopicLength: 2500,
  maxBufferedBytes: 1024 * 1024,
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
  /** its grouping keys, kept while the schema and the client's auth stay the same (dispatch.ts) */
  keys?: DeliveryKeys;
}

export interface DeliveryKeys {
  readonly schema: object;
  readonly collectionId: string;
  /** the client's binding stamp when computed (0: guest) */
  readonly stamp: number;
  /** subscribers with one probe key share one rule check */
  readonly probeKey: string;
  /** subscribers with one payload key share one serialised record */
  readonly payloadKey: string;
  readonly filter: string;
}

export interface RealtimeClient {
  readonly id: string;
  /** the client's IP when it connected ("" when unknown: then no IP check) */
  readonly ip: string;
  readonly openedAt: number;
  lastSentAt: number;
  binding: AuthBinding | null;
  /** topic → subscription */
  subscriptions: Map<string, Subscription>;
  closed: boolean;
  /**
   * Queue messages in one write: each is its encoded `event:…\ndata:…\n\n` part (lib/sse formatSseEvent),
   * shared by every client it goes to; the client puts its own id line in front of each. False when the
   * client is gone or was dropped for not reading.
   */
  send(events: readonly Uint8Array[]): boolean;
  /** end the stream and forget the client */
  close(): void;
}

export interface Broker {
  readonly core: Core;
  limits: RealtimeLimits;
  readonly clients: Map<string, RealtimeClient>;
  /** base topic → its subscriptions (every client's) */
  readonly index: Map<string, Set<Subscription>>;
  /** binding key → the clients bound to that auth record */
  readonly byAuth: Map<string, Set<RealtimeClient>>;
  /** client IP → its open streams (settings `realtime.maxStreamsPerIp`) */
  readonly streamsByIp: Map<string, number>;
  /** events are delivered one after another, in commit order */
  queue: Promise<void>;
  pending: number;
  sweeper: ReturnType<typeof setInterval> | undefined;
}
