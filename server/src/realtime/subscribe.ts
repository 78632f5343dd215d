/**
 * POST /api/realtime: set a client's subscriptions and bind it to the caller's auth.
 * wire (apis/realtime.go realtimeSetSubscriptions): clientId 1–255 chars, at most 1000 topics of at most
 * 2500 chars (400 with per-field data); unknown client 404; a request from another IP than the stream's 400
 * "Invalid realtime client."; a bound client may only be re-bound to the same auth (403); then the list
 * replaces every earlier subscription and the answer is 204. Galley also caps the whole set's UTF-8 bytes
 * (settings `realtime.maxSubscriptionBytes`): a 400 naming `subscriptions`, as the caps above.
 */
import type { Core } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { triggerRealtimeSubscribe } from '../hooks/realtime-hook-points.ts';
import type { AuthInfo } from '../rules/request-info.ts';
import { bindAuth, isSameAuth, setClientBinding } from './auth-binding.ts';
import { brokerOf, replaceSubscriptions } from './broker.ts';
import type { RealtimeLimits } from './model.ts';

const BAD_REQUEST = 'Something went wrong while processing your request.';

export interface SubscriptionsInput {
  clientId: string;
  subscriptions: string[];
}

function lengthIssue(min: number, max: number) {
  // wire: ozzo-validation's length messages (a 0 minimum reads "no more than")
  if (min === 0) return issue('validation_length_too_long', `The length must be no more than ${max}.`, { max });
  return issue('validation_length_out_of_range', `The length must be between ${min} and ${max}.`, { min, max });
}

/** UTF-8 length without encoding (a set may be a quarter megabyte of topics). */
export function measureUtf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * The POST body → checked input, or a 400 in PocketBase's shape naming each bad field or topic.
 * `maxBytes` bounds the set's UTF-8 bytes in all (what one client may make the server hold).
 */
export function readSubscriptionsInput(body: Record<string, unknown>, limits: RealtimeLimits, maxBytes = Infinity): SubscriptionsInput {
  const issues: IssueTree = {};
  const clientId = body['clientId'];
  if (clientId !== undefined && typeof clientId !== 'string') throw new GalleyError('invalid', BAD_REQUEST);
  if (!clientId) issues['clientId'] = issue('validation_required', 'Cannot be blank.');
  else if (clientId.length > 255) issues['clientId'] = lengthIssue(1, 255);
  const raw = body['subscriptions'] ?? [];
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string')) throw new GalleyError('invalid', BAD_REQUEST);
  const topics = raw as string[];
  if (topics.length > limits.maxTopics) issues['subscriptions'] = lengthIssue(0, limits.maxTopics);
  else {
    const each: IssueTree = {};
    topics.forEach((t, i) => {
      if (t.length > limits.maxTopicLength) each[String(i)] = lengthIssue(0, limits.maxTopicLength);
      // a line break in a topic would end its messages' `event:` line early
      else if (/[\r\n]/.test(t)) each[String(i)] = issue('validation_invalid_value', 'Must not contain line breaks.');
    });
    if (Object.keys(each).length > 0) issues['subscriptions'] = each;
    else if (topics.reduce((sum, t) => sum + measureUtf8Bytes(t), 0) > maxBytes) {
      issues['subscriptions'] = issue('validation_length_too_long', `The subscriptions must be no more than ${maxBytes} bytes in all.`, { max: maxBytes });
    }
  }
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', BAD_REQUEST, { issues });
  return { clientId: clientId as string, subscriptions: topics };
}

/**
 * Set a client's subscriptions (POST /api/realtime): the checks, then the onRealtimeSubscribeRequest hooks, which
 * may change the topics, refuse (throw) or answer themselves; then the binding and the new topics.
 */
export async function setClientSubscriptions(core: Core, input: SubscriptionsInput, auth: AuthInfo | null, ip: string, request: Request): Promise<void> {
  const broker = brokerOf(core);
  const client = broker.clients.get(input.clientId);
  if (!client || client.closed) throw new GalleyError('not_found', 'Missing or invalid client id.');
  if (client.ip !== '' && client.ip !== ip) throw new GalleyError('invalid', 'Invalid realtime client.');
  if (client.binding && !isSameAuth(client.binding, auth)) {
    throw new GalleyError('forbidden', "The current and the previous request authorization don't match.");
  }
  await triggerRealtimeSubscribe(core.hooks.registry, core.log, { request, clientId: client.id, auth, subscriptions: input.subscriptions }, (topics) => {
    // the client may have gone while a hook ran
    if (client.closed) return;
    setClientBinding(broker, client, bindAuth(core, broker, auth));
    replaceSubscriptions(broker, client, topics);
  });
}
