// GET/PATCH /api/settings: who may, PocketBase's shape, per-field errors, secrets never sent, storage in data.db,
// environment pre-sets, and the official SDK's settings service round-tripping them.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, superuserToken, runScenario, type Scenario } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';

let t: AuthTestGalley;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await startAuthGalley(authSchema());
  tokens['root'] = await superuserToken(t);
  tokens['alice'] = (await signUp(t, 'users', { email: 'alice@example.com' })).token;
}, 60_000);

afterAll(() => t?.close());

const run = (s: Scenario) => runScenario(t, s, tokens);

describe('settings routes', () => {
  const table: Scenario[] = [
    { name: 'a guest may not read settings', method: 'GET', path: '/api/settings', status: 401 },
    { name: 'a user may not read settings', method: 'GET', path: '/api/settings', as: 'alice', status: 403 },
    { name: 'a guest may not change settings', method: 'PATCH', path: '/api/settings', body: { meta: { appName: 'X' } }, status: 401 },
    { name: 'a user may not change settings', method: 'PATCH', path: '/api/settings', as: 'alice', body: { meta: { appName: 'X' } }, status: 403 },
    {
      name: 'a superuser reads PocketBase’s defaults, rate limits on',
      method: 'GET',
      path: '/api/settings',
      as: 'root',
      status: 200,
      contains: ['"appName":"Acme"', '"appURL":"http://localhost:8090"', '"senderAddress":"support@example.com"', '"label":"*:auth"', '"enabled":true', '"trustedProxy":{"headers":[]'],
      notContains: ['"password"', '"secret"'],
    },
    { name: 'a bad appURL is a field error', method: 'PATCH', path: '/api/settings', as: 'root', body: { meta: { appURL: 'not a url' } }, status: 400, contains: ['"appURL":{"code":"validation_invalid_url"'] },
    { name: 'a blank sender address is required', method: 'PATCH', path: '/api/settings', as: 'root', body: { meta: { senderAddress: '' } }, status: 400, contains: ['"senderAddress":{"code":"validation_required"'] },
    { name: 'SMTP on without a host is refused', method: 'PATCH', path: '/api/settings', as: 'root', body: { smtp: { enabled: true, host: '' } }, status: 400, contains: ['"smtp":{"host":{"code":"validation_required"'] },
    { name: 'an unknown SMTP auth method is refused', method: 'PATCH', path: '/api/settings', as: 'root', body: { smtp: { authMethod: 'CRAM' } }, status: 400, contains: ['"authMethod":{"code":"validation_in_invalid"'] },
    {
      name: 'a malformed rate limit label is reported at its index',
      method: 'PATCH',
      path: '/api/settings',
      as: 'root',
      body: { rateLimits: { rules: [{ label: 'bad label!', duration: 3, maxRequests: 2 }] } },
      status: 400,
      contains: ['"rules":{"0":{"label":{"code":"validation_match_invalid"'],
    },
    {
      name: 'duplicate rate limit labels conflict',
      method: 'PATCH',
      path: '/api/settings',
      as: 'root',
      body: { rateLimits: { rules: [{ label: '*:auth', duration: 3, maxRequests: 2 }, { label: '*:auth', duration: 9, maxRequests: 2 }] } },
      status: 400,
      contains: ['"1":{"label":{"code":"validation_not_unique"'],
    },
    { name: 'a rule without maxRequests is refused', method: 'PATCH', path: '/api/settings', as: 'root', body: { rateLimits: { rules: [{ label: '/api/', duration: 3 }] } }, status: 400, contains: ['"maxRequests":{"code":"validation_required"'] },
    { name: 'an excluded IP must be an IP or subnet', method: 'PATCH', path: '/api/settings', as: 'root', body: { rateLimits: { excludedIPs: ['10.0.0.0/8', 'nope'] } }, status: 400, contains: ['"excludedIPs":{"1":{"code":"validation_invalid_value"'], notContains: ['"0":'] },
    { name: 'a value of the wrong type is a field error', method: 'PATCH', path: '/api/settings', as: 'root', body: { meta: { appName: 5 } }, status: 400, contains: ['"appName":{"code":"validation_unsupported_value_type"'] },
    { name: 'unknown keys are ignored', method: 'PATCH', path: '/api/settings', as: 'root', body: { nope: 1, meta: { nope: 2 } }, status: 200, notContains: ['nope'] },
  ];
  it.each(table)('$name', async (s) => {
    await run(s);
  });

  it('a PATCH merges, keeps the SMTP password without sending it, and survives a restart', async () => {
    const res = await t.call('PATCH', '/api/settings', {
      auth: tokens['root'],
      body: { meta: { appName: 'Galley Test', senderName: 'Robot' }, smtp: { enabled: true, host: '127.0.0.1', port: 2525, username: 'u', password: 's3cret!' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.meta).toMatchObject({ appName: 'Galley Test', senderName: 'Robot', appURL: 'http://localhost:8090' });
    expect(res.json.smtp).toEqual({ enabled: true, port: 2525, host: '127.0.0.1', username: 'u', authMethod: '', tls: false, localName: '' });
    expect(res.text).not.toContain('s3cret!');
    // a later PATCH without the password keeps it
    await t.call('PATCH', '/api/settings', { auth: tokens['root'], body: { smtp: { port: 2526 } } });
    expect(t.galley.core.settings.current().smtp).toMatchObject({ port: 2526, password: 's3cret!' });

    // a second Galley on the directory while the first still runs (the suite shares it): past the dir lock
    const again = await startAuthGalley(authSchema(), { dir: t.dir, allowSharedDir: true });
    try {
      expect(again.galley.core.settings.current().meta.appName).toBe('Galley Test');
      expect(again.galley.core.settings.current().smtp.password).toBe('s3cret!');
    } finally {
      await again.close();
    }
  });
});

describe('settings from the environment and createGalley', () => {
  it('GALLEY_SMTP_* and GALLEY_APP_URL pre-set SMTP (a host turns it on) and win over stored values', async () => {
    const g = await startAuthGalley(authSchema(), {
      env: { GALLEY_SMTP_HOST: 'mail.internal', GALLEY_SMTP_PORT: '1025', GALLEY_SMTP_PASSWORD: 'pw', GALLEY_APP_URL: 'https://app.example.com' },
    });
    try {
      const s = g.galley.core.settings.current();
      expect(s.smtp).toMatchObject({ enabled: true, host: 'mail.internal', port: 1025, password: 'pw' });
      expect(s.meta.appURL).toBe('https://app.example.com');
    } finally {
      await g.close();
    }
  });

  it('a bad pre-set fails the start with the path at fault', async () => {
    await expect(startAuthGalley(authSchema(), { env: { GALLEY_APP_URL: 'nope' } })).rejects.toThrow(/meta\.appURL/);
    await expect(startAuthGalley(authSchema(), { settings: { smtp: { port: 'x' as never } } })).rejects.toThrow(/smtp\.port/);
  });
});

describe('the pocketbase SDK settings service', () => {
  it('getAll, update and a full round trip through the SDK', async () => {
    const { url } = await t.galley.listen('127.0.0.1:0');
    const pb = new PocketBase(url);
    await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    const all = await pb.settings.getAll();
    expect(Object.keys(all).sort()).toEqual(['backups', 'batch', 'logs', 'meta', 'rateLimits', 'realtime', 's3', 'smtp', 'superuserIPs', 'trustedProxy']);
    const updated = await pb.settings.update({ meta: { ...all['meta'], appName: 'From SDK' } });
    expect(updated['meta'].appName).toBe('From SDK');
    // sending back exactly what was read changes nothing (and keeps the stored SMTP password)
    const before = t.galley.core.settings.current();
    const roundTrip = await pb.settings.update(await pb.settings.getAll());
    expect(roundTrip).toEqual(await pb.settings.getAll());
    expect(t.galley.core.settings.current()).toEqual(before);
    const guest = new PocketBase(url);
    await expect(guest.settings.getAll()).rejects.toMatchObject({ status: 401 });
  });
});
