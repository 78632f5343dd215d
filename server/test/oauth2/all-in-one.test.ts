// The SDK's all-in-one flow, unchanged: authWithOAuth2({provider, urlCallback}) subscribes to `@oauth2` over
// realtime (the `eventsource` package as the global EventSource), the "popup" is plain HTTP through the loopback
// provider, whose redirect lands on Galley's /api/oauth2-redirect, which hands {state, code} to that client.
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeStats } from '../../src/realtime/broker.ts';
import { startOAuth2Env, type OAuth2Env } from './harness.ts';

let env: OAuth2Env;
const hadEventSource = 'EventSource' in globalThis;
const previous = (globalThis as { EventSource?: unknown }).EventSource;

beforeAll(async () => {
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  env = await startOAuth2Env(undefined, { allInOne: true });
  env.oidc.accounts.set('kim', { email: 'kim@example.com', email_verified: true, name: 'Kim' });
}, 60_000);
afterAll(async () => {
  if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previous;
  else delete (globalThis as { EventSource?: unknown }).EventSource;
  await env?.close();
});

/** What a browser popup would do: walk the provider's pages as `login`, then open the redirect on Galley. */
const SUCCESS = '../_/#/auth/oauth2-redirect-success';
const FAILURE = '../_/#/auth/oauth2-redirect-failure';

/** Where Galley's redirect sends the popup (the status is PocketBase's: 307 after a GET, 303 after a POST). */
function landing(res: Response, status = 307): string | undefined {
  expect(res.status).toBe(status);
  return res.headers.get('location') ?? undefined;
}

function popupAs(login: string, seen: { redirect?: string; page?: string }) {
  return async (url: string) => {
    const back = await env.oidc.authorize(url, login);
    seen.redirect = back.redirectedTo;
    seen.page = landing(await fetch(back.redirectedTo, { redirect: 'manual' }));
  };
}

describe('authWithOAuth2 (all-in-one)', () => {
  it('signs in through the realtime @oauth2 topic and Galley\'s redirect page', async () => {
    const pb = new PocketBase(env.url);
    const seen: { redirect?: string; page?: string } = {};
    const auth = await pb.collection('users').authWithOAuth2({ provider: 'oidc', urlCallback: popupAs('kim', seen) });
    expect(seen.redirect?.startsWith(`${env.url}/api/oauth2-redirect?`)).toBe(true);
    expect(seen.page).toBe(SUCCESS);
    expect(auth.meta).toMatchObject({ id: 'kim', email: 'kim@example.com', isNew: true });
    expect(pb.authStore.record?.id).toBe(auth.record.id);
    // the SDK's realtime client is gone once the flow ended (it unsubscribes and disconnects)
    expect(realtimeStats(env.t.galley.core).subscriptions).toBe(0);
  });

  it('a redirect whose state names no subscribed client delivers nothing and shows the failure page', async () => {
    expect(landing(await fetch(`${env.url}/api/oauth2-redirect?state=nobody&code=abc`, { redirect: 'manual' }))).toBe(FAILURE);
    const post = await fetch(`${env.url}/api/oauth2-redirect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'state=&code=abc',
      redirect: 'manual',
    });
    expect(landing(post, 303)).toBe(FAILURE);
  });

  it('a redirect arriving from another IP than the waiting client\'s is not delivered', async () => {
    const pb = new PocketBase(env.url);
    const seen: { redirect?: string; page?: string } = {};
    const auth = await pb.collection('users').authWithOAuth2({
      provider: 'oidc',
      urlCallback: async (url) => {
        const state = new URL(url).searchParams.get('state');
        const forged = await env.t.galley.handle(new Request(`${env.url}/api/oauth2-redirect?state=${state}&code=forged`), { remoteAddress: '10.9.8.7' });
        expect(landing(forged)).toBe(FAILURE);
        await popupAs('kim', seen)(url);
      },
    });
    expect(seen.page).toBe(SUCCESS);
    expect(auth.meta).toMatchObject({ id: 'kim', isNew: false });
  });

  it('the provider\'s error reaches the waiting SDK, which rejects', async () => {
    const pb = new PocketBase(env.url);
    const attempt = pb.collection('users').authWithOAuth2({
      provider: 'oidc',
      // the user cancels at the provider: it redirects back with error=access_denied and the same state
      urlCallback: async (url) => {
        const state = new URL(url).searchParams.get('state');
        const page = await fetch(`${env.url}/api/oauth2-redirect?state=${state}&error=access_denied`, { redirect: 'manual' });
        expect(landing(page)).toBe(FAILURE);
      },
    });
    await expect(attempt).rejects.toMatchObject({ originalError: { message: expect.stringContaining('access_denied') } });
    expect(pb.authStore.isValid).toBe(false);
  });
});
