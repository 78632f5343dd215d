// /api/oauth2-redirect is open to anyone: Apple's `user` form value is kept (under the code) only when the
// redirect reached a realtime client waiting on @oauth2, so random posts cannot pile names up in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeAppleName } from '../../src/auth/oauth2/apple-name.ts';
import { OAUTH2_FAILURE_PAGE, OAUTH2_SUCCESS_PAGE } from '../../src/auth/oauth2/routes.ts';
import { startTestGalley, type TestGalley } from '../helpers/test-galley.ts';
import { connectRaw } from '../realtime/sse-client.ts';

let t: TestGalley;
beforeAll(async () => {
  t = await startTestGalley({ collections: [] });
});
afterAll(async () => {
  await t?.close();
});

const appleUser = JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' } });
const form = (fields: Record<string, string>) => {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return body;
};

describe('Apple name on the OAuth2 redirect', () => {
  it('is not kept for a redirect no realtime client waits for', async () => {
    const res = await t.call('POST', '/api/oauth2-redirect', { body: form({ state: 'no-such-client', code: 'stray-code', user: appleUser }) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(OAUTH2_FAILURE_PAGE);
    expect(takeAppleName(t.galley.core.oauth2.appleNames, 'stray-code')).toBe('');
  });

  it('is kept for the client the redirect is delivered to', async () => {
    const client = await connectRaw(t.galley, { ip: '127.0.0.1' });
    expect((await client.subscribe(['@oauth2'], { ip: '127.0.0.1' })).status).toBe(204);
    const res = await t.call('POST', '/api/oauth2-redirect', { body: form({ state: client.clientId, code: 'real-code', user: appleUser }), ip: '127.0.0.1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(OAUTH2_SUCCESS_PAGE);
    expect(takeAppleName(t.galley.core.oauth2.appleNames, 'real-code')).toBe('Ada Lovelace');
    await client.close();
  });
});
