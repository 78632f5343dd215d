// A provider's clientSecret given as "$env:NAME": the sign-in against the loopback provider uses the variable's
// value, and the value stays out of the model, data.db (applied schema, history) and the collections API.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauth2Schema, signInWithProvider, startOAuth2Env, type OAuth2Env } from './harness.ts';
import { CLIENT_SECRET } from './oidc-server.ts';

const VARIABLE = 'GALLEY_TEST_OIDC_CLIENT_SECRET';
let env: OAuth2Env;

beforeAll(async () => {
  process.env[VARIABLE] = CLIENT_SECRET;
  env = await startOAuth2Env((issuer) => {
    const [users] = oauth2Schema(issuer) as Array<Record<string, any>>;
    for (const p of users!['oauth2'].providers) p.clientSecret = `$env:${VARIABLE}`;
    return [users];
  });
  env.oidc.accounts.set('alice', { email: 'alice@example.com', email_verified: true, name: 'Alice' });
}, 60_000);
afterAll(async () => {
  await env?.close();
  delete process.env[VARIABLE];
});

describe('an environment reference for clientSecret', () => {
  it('signs in with the variable’s value (the provider checks the secret)', async () => {
    const pb = new PocketBase(env.url);
    const auth = await signInWithProvider(env, pb, 'oidc', 'alice');
    expect(auth.record.email).toBe('alice@example.com');
  });

  it('keeps the value out of the model, data.db and the collections API', async () => {
    const users = env.t.galley.core.schema.findCollection('users')!;
    expect(users.auth!.oauth2.providers.map((p) => p['clientSecret'])).toEqual([`$env:${VARIABLE}`, `$env:${VARIABLE}`, `$env:${VARIABLE}`]);
    const dump = JSON.stringify([
      await env.t.galley.core.db.read.selectFrom('_galley_schema').selectAll().execute(),
      await env.t.galley.core.db.read.selectFrom('_galley_migrations').selectAll().execute(),
    ]);
    expect(dump).toContain(`$env:${VARIABLE}`);
    expect(dump).not.toContain(CLIENT_SECRET);
    const api = await env.t.call('GET', '/api/collections/users', { auth: env.root });
    expect(api.status).toBe(200);
    expect(api.text).not.toContain(CLIENT_SECRET);
  });
});
