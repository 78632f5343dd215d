/**
 * GET/POST /api/oauth2-redirect, the provider's return address in the SDK's all-in-one flow: the realtime client
 * whose id is the `state` (and which subscribed to `@oauth2` from the same IP) receives `{state, code, error?}`.
 * Sending is handed in (realtime sits above auth in the layers).
 */
import type { Core } from '../../core.ts';
import { keepAppleName } from './apple-name.ts';

export const OAUTH2_TOPIC = '@oauth2';

/** realtime/broker.ts's sendToClient: false when no such client subscribed to the topic from that IP. */
export type SendToRealtimeClient = (core: Core, clientId: string, topic: string, data: unknown, opts: { ip?: string; unsubscribe?: boolean }) => boolean;

export interface RedirectOutcome {
  ok: boolean;
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** wire: PocketBase's oauth2SubscriptionRedirect (routes.ts answers with its redirect to a landing page). */
export function forwardOAuth2Redirect(core: Core, values: Record<string, unknown>, ip: string, send: SendToRealtimeClient): RedirectOutcome {
  const state = text(values['state']);
  const code = text(values['code']);
  const error = text(values['error']);
  if (state === '' || state.length > 255) return { ok: false };
  const data: Record<string, string> = { state, code };
  if (error !== '') data['error'] = error;
  const delivered = send(core, state, OAUTH2_TOPIC, data, { ip, unsubscribe: true });
  // Apple posts the user's name only here, once: kept briefly for the auth-with-oauth2 call that follows, and
  // only for a client that was waiting (this route is open to anyone). Same tick as the send: kept before it asks.
  if (delivered && error === '' && code !== '') keepAppleName(core.oauth2.appleNames, code, text(values['user']));
  return { ok: delivered && error === '' && code !== '' };
}
