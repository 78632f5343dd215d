// Issue 18 items 1 and 4 on the OAuth2 sign-up path: createData cannot take an id another auth collection holds,
// and a provider email that differs from a local account's only in case finds that account (no second record).
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithProvider, startOAuth2Env, oauth2Schema, type OAuth2Env } from './harness.ts';

let env: OAuth2Env;
let rootId = '';

beforeAll(async () => {
  env = await startOAuth2Env((issuer) => oauth2Schema(issuer));
  env.oidc.accounts.set('kim', { email: 'kim@example.com', email_verified: true, name: 'Kim' });
  env.oidc.accounts.set('lou', { email: 'lou@example.com', email_verified: true, name: 'Lou' });
  rootId = (await env.t.galley.core.db.read.selectFrom('_superusers').select('id').executeTakeFirstOrThrow())['id'] as string;
}, 60_000);

afterAll(() => env?.close());

async function failure(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the sign-in to fail');
}

describe('OAuth2 sign-up', () => {
  it("refuses createData naming a superuser's id (400 validation_invalid_auth_id), and stores nothing", async () => {
    const err = await failure(signInWithProvider(env, new PocketBase(env.url), 'oidc', 'lou', { id: rootId }));
    expect(err.status).toBe(400);
    expect(err.response['data']).toEqual({ id: { code: 'validation_invalid_auth_id', message: 'Invalid or duplicated auth record id.' } });
    expect(await env.t.galley.core.db.read.selectFrom('users').select('id').execute()).toEqual([]);
    expect(await env.t.galley.core.db.read.selectFrom('_externalAuths').select('id').execute()).toEqual([]);
  });

  it('a provider email in another case finds the local account: linked, not a second record', async () => {
    const pb = new PocketBase(env.url);
    const local = await pb.collection('users').create({ email: 'Kim@Example.com', password: 'password123', passwordConfirm: 'password123' });
    const admin = new PocketBase(env.url);
    admin.authStore.save(env.root, null);
    await admin.collection('users').update(local.id, { verified: true });
    const auth = await signInWithProvider(env, new PocketBase(env.url), 'oidc', 'kim');
    expect(auth.meta?.['isNew']).toBe(false);
    expect(auth.record.id).toBe(local.id);
    const emails = await env.t.galley.core.db.read.selectFrom('users').select('email').execute();
    expect(emails.filter((u) => String(u.email).toLowerCase() === 'kim@example.com')).toHaveLength(1);
  });
});
