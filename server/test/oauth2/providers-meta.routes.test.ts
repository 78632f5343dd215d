// GET /api/collections/meta/oauth2-providers (superusers), through the SDK's collections.getAllOAuth2Providers():
// wire: PocketBase answers {name, displayName, logo} per provider in its provider order, nothing else.
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

let t: TestGalley;
let url = '';
let root = '';

beforeAll(async () => {
  t = await startTestGalley([{ name: 'users', type: 'auth', createRule: '', fields: [] }]);
  root = await superuserToken(t);
  url = (await t.galley.listen('127.0.0.1:0')).url;
});
afterAll(() => t?.close());

const sdk = (token = '') => {
  const pb = new PocketBase(url);
  if (token) pb.authStore.save(token, null);
  return pb;
};

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as ClientResponseError).status;
  }
}

describe('oauth2-providers', () => {
  it('a superuser gets every provider Galley speaks, in PocketBase order, with only name, displayName and logo', async () => {
    const list = await sdk(root).collections.getAllOAuth2Providers();
    expect(list.map((p) => p['name'])).toEqual(['apple', 'google', 'microsoft', 'github', 'gitlab', 'discord', 'oidc', 'oidc2', 'oidc3']);
    expect(list.find((p) => p['name'] === 'github')).toMatchObject({ displayName: 'GitHub' });
    for (const p of list) {
      expect(Object.keys(p).sort()).toEqual(['displayName', 'logo', 'name']);
      expect(p['logo']).toMatch(/^<svg [^]*<\/svg>$/);
    }
  });

  it('a guest is 401 and a signed-in user 403, in PocketBase’s error shape', async () => {
    expect(await statusOf(sdk().collections.getAllOAuth2Providers())).toBe(401);
    const user = await signUp(t, 'users', { email: 'u@example.com' });
    expect(await statusOf(sdk(user.token).collections.getAllOAuth2Providers())).toBe(403);
    const raw = await t.call('GET', '/api/collections/meta/oauth2-providers', { auth: user.token });
    expect(raw.json).toEqual({ status: 403, message: expect.any(String), data: {} });
  });
});
