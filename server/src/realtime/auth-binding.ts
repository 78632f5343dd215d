/**
 * A client's auth, judged again for every event. wire (apis/realtime.go): the POST's auth is stored on the
 * client; an update of that auth record replaces it, or ends it when the tokenKey changed (password change,
 * logout-all); deleting the record, its collection, or changing the collection's token secret ends it.
 * An ended binding leaves the client connected as a guest, free to authenticate with its next POST.
 */
import type { Core } from '../core.ts';
import type { RecordEvent } from '../hooks/event-bus.ts';
import type { AuthInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';
import type { AuthBinding, Broker, RealtimeClient } from './model.ts';
import { forgetClientGroups } from './topic-groups.ts';

// process-wide on purpose: only its uniqueness matters (a stamp never equals an older one), not its count
let stamps = 0;

function keyOf(auth: AuthInfo): string {
  return `${auth.collection.id}/${String(auth.record['id'])}`;
}

/**
 * A binding for `auth`. Clients bound to the same version of the same record share its stamp (and record
 * object), so the dispatcher checks them as one group however many streams one user has open.
 */
export function bindAuth(core: Core, broker: Broker, auth: AuthInfo | null): AuthBinding | null {
  if (!auth) return null;
  const key = keyOf(auth);
  const secret = core.secrets.tokenSecret(auth.collection.id, 'auth');
  const tokenKey = auth.record['tokenKey'];
  for (const other of broker.byAuth.get(key) ?? []) {
    const b = other.binding;
    if (b && b.tokenKey === tokenKey && b.secret === secret && sameRow(b.auth.record, auth.record)) {
      return { auth: b.auth, key, tokenKey, secret, stamp: b.stamp };
    }
    break;
  }
  return { auth, key, tokenKey, secret, stamp: ++stamps };
}

function sameRow(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** wire: only a guest → auth upgrade or the same auth again may follow a bound auth. */
export function isSameAuth(binding: AuthBinding | null, auth: AuthInfo | null): boolean {
  if (!binding) return auth === null;
  return auth !== null && keyOf(auth) === binding.key;
}

function indexAuth(broker: Broker, client: RealtimeClient): void {
  if (!client.binding) return;
  let set = broker.byAuth.get(client.binding.key);
  if (!set) broker.byAuth.set(client.binding.key, (set = new Set()));
  set.add(client);
}

export function unindexAuth(broker: Broker, client: RealtimeClient): void {
  if (!client.binding) return;
  const set = broker.byAuth.get(client.binding.key);
  set?.delete(client);
  if (set?.size === 0) broker.byAuth.delete(client.binding.key);
}

export function setClientBinding(broker: Broker, client: RealtimeClient, binding: AuthBinding | null): void {
  forgetClientGroups(broker, client);
  unindexAuth(broker, client);
  client.binding = binding;
  indexAuth(broker, client);
}

/**
 * The auth each client's event is judged with, under the current schema, for many clients in one event: a
 * binding whose collection is gone or whose token secret changed ends (the client is a guest from then on); the collection and its token secret are looked up once per
 * auth collection, not once per client (the same answer for all of them within one event).
 */
export function authJudge(core: Core, broker: Broker): (client: RealtimeClient) => void {
  const seen = new Map<string, { collection: CollectionModel | undefined; secret: string | undefined }>();
  return (client) => {
    const binding = client.binding;
    if (!binding) return;
    const id = binding.auth.collection.id;
    let now = seen.get(id);
    if (!now) {
      const collection = core.schema.findCollection(id);
      const live = collection && collection.type === 'auth' ? collection : undefined;
      seen.set(id, (now = { collection: live, secret: live ? core.secrets.tokenSecret(live.id, 'auth') : undefined }));
    }
    if (!now.collection || now.secret !== binding.secret) {
      setClientBinding(broker, client, null);
      return;
    }
    if (now.collection !== binding.auth.collection) binding.auth = { collection: now.collection, record: binding.auth.record };
  };
}

/** Apply a committed change of an auth record to the clients bound to it (in event order). */
export function applyAuthRecordChange(broker: Broker, event: RecordEvent): void {
  if (event.collection.type !== 'auth') return;
  const clients = broker.byAuth.get(`${event.collection.id}/${String(event.row['id'])}`);
  if (!clients) return;
  const stamp = ++stamps;
  for (const client of [...clients]) {
    const binding = client.binding!;
    if (event.action === 'delete' || event.row['tokenKey'] !== binding.tokenKey) {
      setClientBinding(broker, client, null);
      continue;
    }
    binding.auth = { collection: event.collection, record: event.row };
    binding.stamp = stamp;
    forgetClientGroups(broker, client);
  }
}
