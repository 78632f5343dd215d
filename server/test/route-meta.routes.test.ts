// Route metadata is declared where each route is registered (http/route-kit's RouteMeta). This walks the app's
// route table: every route under a collection path is listed below with PocketBase's rate-limit tags for it
// (apis/record_crud.go, record_auth_*.go, file.go), and each one is checked by a real request, so a new
// route cannot silently miss its tag or the collection the superuser-IP check reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken } from './helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './auth/harness.ts';

/** wire: PocketBase's tags per route; [] is a collection route PocketBase does not tag. */
const COLLECTION_ROUTES: Record<string, string[]> = {
  'GET /api/collections/:collection/records': ['list'],
  'POST /api/collections/:collection/records': ['create'],
  'GET /api/collections/:collection/records/:id': ['view'],
  'PATCH /api/collections/:collection/records/:id': ['update'],
  'DELETE /api/collections/:collection/records/:id': ['delete'],
  'GET /api/collections/:collection/auth-methods': ['listAuthMethods'],
  'POST /api/collections/:collection/auth-refresh': ['authRefresh'],
  'POST /api/collections/:collection/auth-with-password': ['authWithPassword', 'auth'],
  'POST /api/collections/:collection/auth-with-oauth2': ['authWithOAuth2', 'auth'],
  'POST /api/collections/:collection/request-otp': ['requestOTP'],
  'POST /api/collections/:collection/auth-with-otp': ['authWithOTP', 'auth'],
  'POST /api/collections/:collection/request-password-reset': ['requestPasswordReset'],
  'POST /api/collections/:collection/confirm-password-reset': ['confirmPasswordReset'],
  'POST /api/collections/:collection/request-verification': ['requestVerification'],
  'POST /api/collections/:collection/confirm-verification': ['confirmVerification'],
  'POST /api/collections/:collection/request-email-change': ['requestEmailChange'],
  'POST /api/collections/:collection/confirm-email-change': ['confirmEmailChange'],
  'POST /api/collections/:collection/auth-logout-all': ['authLogoutAll'],
  'POST /api/collections/:collection/impersonate/:id': [],
  'DELETE /api/collections/:collection/truncate': [],
  'GET /api/files/:collection/:recordId/:filename': ['file'],
};
const ALL_TAGS = [...new Set(Object.values(COLLECTION_ROUTES).flat())];
const ALLOWED = '203.0.113.1';

let t: AuthTestGalley;
let root = '';

beforeAll(async () => {
  t = await startAuthGalley(authSchema());
  root = await superuserToken(t);
}, 60_000);

afterAll(() => t?.close());

/** The app's routes that name a collection in their path, as `METHOD /pattern`. */
function collectionRoutes(): string[] {
  const seen = t.galley.app.routes
    .filter((r) => /^\/api\/(collections|files)\/:collection\//.test(r.path))
    .map((r) => `${r.method.toUpperCase()} ${r.path}`);
  return [...new Set(seen)].sort();
}

const fill = (pattern: string, collection: string) =>
  pattern.replace(':collection', collection).replace(':recordId', 'r1').replace(':filename', 'f.txt').replace(':id', 'x1');

async function saveSettings(body: Record<string, unknown>): Promise<void> {
  const res = await t.call('PATCH', '/api/settings', { auth: root, ip: ALLOWED, body });
  expect(res.status, res.text).toBe(200);
}

async function twice(route: string, ip: string): Promise<number> {
  const [method, pattern] = route.split(' ') as [string, string];
  const send = () => t.call(method, fill(pattern, 'users'), { ip, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
  await send();
  return (await send()).status;
}

describe('route metadata', () => {
  it('every route under a collection path is in the list of PocketBase tags', () => {
    expect(collectionRoutes()).toEqual(Object.keys(COLLECTION_ROUTES).sort());
  });

  it.each(Object.entries(COLLECTION_ROUTES).filter(([, tags]) => tags.length > 0))('%s counts under each of its tags %j', async (route, tags) => {
    for (const [i, tag] of tags.entries()) {
      await saveSettings({ rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: `users:${tag}`, audience: '', duration: 300, maxRequests: 1 }] } });
      expect(await twice(route, `198.51.100.${i + 1}`), `${route} as users:${tag}`).toBe(429);
    }
  });

  it.each(Object.entries(COLLECTION_ROUTES).filter(([, tags]) => tags.length === 0))('%s carries no tag', async (route) => {
    const rules = ALL_TAGS.map((tag) => ({ label: `users:${tag}`, audience: '', duration: 300, maxRequests: 1 }));
    await saveSettings({ rateLimits: { enabled: true, excludedIPs: [], rules } });
    expect(await twice(route, '198.51.100.20')).not.toBe(429);
  });

  it.each(Object.keys(COLLECTION_ROUTES).filter((r) => r.includes('/api/collections/')))('%s names its collection (superuser IPs)', async (route) => {
    await saveSettings({ rateLimits: { enabled: false }, superuserIPs: [ALLOWED] });
    try {
      const [method, pattern] = route.split(' ') as [string, string];
      const res = await t.call(method, fill(pattern, '_superusers'), { ip: '198.51.100.30', ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      expect(res.status, res.text).toBe(403);
    } finally {
      await saveSettings({ superuserIPs: [] });
    }
  });
});
