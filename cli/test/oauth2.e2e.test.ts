// OAuth2 through the compiled binary with the official pocketbase SDK: a real OpenID provider (oidc-provider) on
// 127.0.0.1, the code flow with PKCE (authWithOAuth2Code) and the all-in-one realtime flow (authWithOAuth2).
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URL, startTestOidc, type TestOidc } from '../../server/test/oauth2/oidc-server.ts';
import { findFreePort, startBinary, type RunningBinary } from './helpers/binary.ts';

let server: RunningBinary;
let oidc: TestOidc;
const hadEventSource = 'EventSource' in globalThis;
const previous = (globalThis as { EventSource?: unknown }).EventSource;

beforeAll(async () => {
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  const oidcPort = await findFreePort();
  const issuer = `http://127.0.0.1:${oidcPort}`;
  const schema = {
    collections: [
      {
        name: 'users', type: 'auth',
        listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', updateRule: 'id = @request.auth.id', deleteRule: null,
        fields: [{ name: 'name', type: 'text', max: 255 }],
        oauth2: {
          enabled: true,
          mappedFields: { name: 'name' },
          providers: [{ name: 'oidc', displayName: 'Loopback ID', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userInfoURL: `${issuer}/me` }],
        },
      },
    ],
  };
  server = await startBinary({ schema });
  oidc = await startTestOidc([REDIRECT_URL, `${server.url}/api/oauth2-redirect`], oidcPort);
  oidc.accounts.set('alice', { email: 'alice@example.com', email_verified: true, name: 'Alice' });
  oidc.accounts.set('bob', { email: 'bob@example.com', email_verified: true, name: 'Bob' });
  oidc.accounts.set('carol', { email: 'carol@example.com', email_verified: true, name: 'Carol' });
}, 60_000);

afterAll(async () => {
  if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previous;
  else delete (globalThis as { EventSource?: unknown }).EventSource;
  await server?.stop();
  await oidc?.close();
});

describe('OAuth2 through the binary', () => {
  it('code flow: sign-up, sign-in again, and a wrong verifier is a 400', async () => {
    const pb = new PocketBase(server.url);
    const methods = await pb.collection('users').listAuthMethods();
    const provider = methods.oauth2.providers[0]!;
    expect(provider).toMatchObject({ name: 'oidc', displayName: 'Loopback ID', codeChallengeMethod: 'S256' });
    expect(JSON.stringify(methods)).not.toContain(CLIENT_SECRET);
    const back = await oidc.authorize(provider.authURL + encodeURIComponent(REDIRECT_URL), 'alice');
    expect(back.state).toBe(provider.state);
    const auth = await pb.collection('users').authWithOAuth2Code('oidc', back.code, provider.codeVerifier, REDIRECT_URL);
    expect(auth.meta).toMatchObject({ id: 'alice', email: 'alice@example.com', isNew: true });
    expect(auth.record).toMatchObject({ email: 'alice@example.com', verified: true, name: 'Alice' });
    expect((await pb.collection('users').listExternalAuths(auth.record.id)).map((l) => l['provider'])).toEqual(['oidc']);

    const again = (await pb.collection('users').listAuthMethods()).oauth2.providers[0]!;
    const second = await oidc.authorize(again.authURL + encodeURIComponent(REDIRECT_URL), 'alice');
    await expect(pb.collection('users').authWithOAuth2Code('oidc', second.code, provider.codeVerifier, REDIRECT_URL)).rejects.toMatchObject({ status: 400 });
    const third = (await pb.collection('users').listAuthMethods()).oauth2.providers[0]!;
    const code3 = await oidc.authorize(third.authURL + encodeURIComponent(REDIRECT_URL), 'alice');
    const relogin = await pb.collection('users').authWithOAuth2Code('oidc', code3.code, third.codeVerifier, REDIRECT_URL);
    expect(relogin.meta?.['isNew']).toBe(false);
    expect(relogin.record.id).toBe(auth.record.id);
  });

  it("an unverified record pre-registered with the owner's email: the owner signs in (linked, verified), the pre-registered password dies", async () => {
    const squatter = new PocketBase(server.url);
    const pre = await squatter.collection('users').create({ email: 'carol@example.com', password: 'squatter-pass-1', passwordConfirm: 'squatter-pass-1' });
    await squatter.collection('users').authWithPassword('carol@example.com', 'squatter-pass-1');
    const pb = new PocketBase(server.url);
    const provider = (await pb.collection('users').listAuthMethods()).oauth2.providers[0]!;
    const back = await oidc.authorize(provider.authURL + encodeURIComponent(REDIRECT_URL), 'carol');
    const auth = await pb.collection('users').authWithOAuth2Code('oidc', back.code, provider.codeVerifier, REDIRECT_URL);
    expect(auth.meta?.['isNew']).toBe(false);
    expect(auth.record).toMatchObject({ id: pre.id, email: 'carol@example.com', verified: true });
    await expect(new PocketBase(server.url).collection('users').authWithPassword('carol@example.com', 'squatter-pass-1')).rejects.toMatchObject({ status: 400 });
    await expect(squatter.collection('users').authRefresh()).rejects.toMatchObject({ status: 401 });
  });

  it('all-in-one: authWithOAuth2 over realtime and /api/oauth2-redirect', async () => {
    const pb = new PocketBase(server.url);
    let page = '';
    const auth = await pb.collection('users').authWithOAuth2({
      provider: 'oidc',
      urlCallback: async (url) => {
        const back = await oidc.authorize(url, 'bob');
        const res = await fetch(back.redirectedTo, { redirect: 'manual' });
        page = `${res.status} ${res.headers.get('location')}`;
      },
    });
    // PocketBase's redirect to the landing page that says so and closes the popup
    expect(page).toBe('307 ../_/#/auth/oauth2-redirect-success');
    expect(auth.meta).toMatchObject({ id: 'bob', isNew: true });
    expect(pb.authStore.record?.['email']).toBe('bob@example.com');
  });
});
