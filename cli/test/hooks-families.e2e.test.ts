// Hook families beyond the record ones (issue 14) through the compiled binary, with a galley.hooks.ts on disk
// beside the schema file and the official `pocketbase` SDK: a custom route with auth and path values, a clash
// refused at start, a cron job listed and run through POST /api/crons/{id}, a mail vetoed and one with a changed
// subject (a loopback SMTP server), realtime connect/subscribe hooks refusing, per-method auth hooks (a password
// sign-in refused, request-otp for an unknown email, OAuth2 through a loopback OpenID provider), and onTerminate.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../../server/test/auth/smtp.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URL, startTestOidc, type TestOidc } from '../../server/test/oauth2/oidc-server.ts';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';
import { makeTempDir, runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

let oidc: TestOidc;
const usersWith = (issuer: string) =>
  selfServiceUsers({
    otp: { enabled: true },
    oauth2: { enabled: true, providers: [{ name: 'oidc', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userInfoURL: `${issuer}/me` }] },
  });
let schema: unknown[] = [];
const otherCollections = [{ name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] }];

const HOOKS = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const vetoed: string[] = [];
const otpRecords: Array<string | null> = [];
const oauth2IsNew: boolean[] = [];
let cleanups = 0;

export default (app: any) => {
  app.routerAdd('GET', '/api/hello/{name}', (e: any) => e.json(200, { hello: e.request.pathValue('name'), auth: e.auth.id, email: e.auth.get('email') }), app.requireAuth('users'));
  app.routerAdd('GET', '/api/test/state', (e: any) => e.json(200, { vetoed, cleanups, otpRecords, oauth2IsNew }));
  app.onRecordAuthWithPasswordRequest(async (e: any) => {
    if (String(e.record?.get('email') ?? '').startsWith('blocked')) throw new app.ForbiddenError('Blocked by a hook.');
    await e.next();
  }, 'users');
  app.onRecordRequestOTPRequest(async (e: any) => {
    otpRecords.push(e.record ? e.record.get('email') : null);
    await e.next();
  }, 'users');
  app.onRecordAuthWithOAuth2Request(async (e: any) => {
    oauth2IsNew.push(e.isNewRecord);
    await e.next();
  }, 'users');
  app.cronAdd('nightlyCleanup', '0 3 * * *', async () => {
    cleanups++;
  });
  app.onMailerRecordPasswordResetSend(async (e: any) => {
    e.message.subject = 'Reset for ' + e.record.get('email');
    await e.next();
  }, 'users');
  app.onMailerSend(async (e: any) => {
    const to = e.message.to[0].address;
    if (to.startsWith('vetoed')) return void vetoed.push(to);
    await e.next();
  });
  app.onRealtimeConnectRequest(async (e: any) => {
    if (e.request.headers.get('x-deny')) throw new app.ForbiddenError('No streams for you.');
    await e.next();
  });
  app.onRealtimeSubscribeRequest(async (e: any) => {
    if (e.subscriptions.some((t: string) => t.startsWith('secret'))) throw new app.ForbiddenError('Not that topic.');
    await e.next();
  });
  app.onTerminate(async (e: any) => {
    writeFileSync(join(process.env.HOOKS_MARK_DIR!, 'terminated'), 'posts=' + (await app.countRecords('posts')));
    await e.next();
  });
};
`;

const dir = makeTempDir();
const dataDir = join(dir, 'data');
let server: RunningBinary;
let smtp: TestSmtp;
const globals = globalThis as { EventSource?: unknown };
const previous = globals.EventSource;

beforeAll(async () => {
  globals.EventSource = EventSource;
  smtp = await startTestSmtp();
  oidc = await startTestOidc([REDIRECT_URL]);
  oidc.accounts.set('zoe', { email: 'zoe@example.com', email_verified: true, name: 'Zoe' });
  schema = [usersWith(oidc.issuer), ...otherCollections];
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
  writeFileSync(join(dir, 'galley.hooks.ts'), HOOKS);
  expect((await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', dataDir])).code).toBe(0);
  server = await startBinary({
    schema: join(dir, 'schema.json'),
    dir: dataDir,
    env: { HOOKS_MARK_DIR: dir, GALLEY_SMTP_ENABLED: 'true', GALLEY_SMTP_HOST: '127.0.0.1', GALLEY_SMTP_PORT: String(smtp.port) },
  });
}, 60_000);

afterAll(async () => {
  globals.EventSource = previous;
  await server?.stop();
  await smtp?.close();
  await oidc?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(): PocketBase {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

async function signUp(email: string): Promise<PocketBase> {
  const pb = client();
  await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return pb;
}

async function state(): Promise<{ vetoed: string[]; cleanups: number; otpRecords: Array<string | null>; oauth2IsNew: boolean[] }> {
  return client().send('/api/test/state', {});
}

describe('hooks file families (binary)', () => {
  it('a custom route with auth: a guest gets 401, a user 200 with e.auth and the path value', async () => {
    await expect(client().send('/api/hello/world', {})).rejects.toMatchObject({ status: 401, response: { message: 'The request requires valid record authorization token.' } });
    const pb = await signUp('ann@example.com');
    expect(await pb.send('/api/hello/world', {})).toEqual({ hello: 'world', auth: pb.authStore.record!.id, email: 'ann@example.com' });
  });

  it('a cron job from the hooks file is listed before the built-ins and runs through POST /api/crons/{id}', async () => {
    const pb = client();
    await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    const jobs = (await pb.crons.getFullList()) as unknown as Array<{ id: string; expression: string }>;
    expect(jobs[0]).toMatchObject({ id: 'nightlyCleanup', expression: '0 3 * * *' });
    expect(jobs.slice(1).every((j) => j.id.startsWith('__pb'))).toBe(true);
    expect(await pb.crons.run('nightlyCleanup')).toBe(true);
    for (let i = 0; i < 300 && (await state()).cleanups === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await state()).cleanups).toBe(1);
  });

  it('mail hooks veto one mail and change another one’s subject', async () => {
    await signUp('vetoed@example.com');
    await signUp('bob@example.com');
    expect(await client().collection('users').requestPasswordReset('vetoed@example.com')).toBe(true);
    for (let i = 0; i < 300 && (await state()).vetoed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await state()).vetoed).toEqual(['vetoed@example.com']);
    expect(await client().collection('users').requestPasswordReset('bob@example.com')).toBe(true);
    const mail = await smtp.waitFor((m) => m.to.includes('bob@example.com'));
    expect(mail.subject).toBe('Reset for bob@example.com');
    expect(smtp.mails.some((m) => m.to.includes('vetoed@example.com'))).toBe(false);
  });

  it('realtime hooks refuse a connection and a subscription; others go through', async () => {
    const refused = await fetch(`${server.url}/api/realtime`, { headers: { 'x-deny': '1' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ status: 403, message: 'No streams for you.', data: {} });
    const pb = client();
    const seen: string[] = [];
    let got!: () => void;
    const arrived = new Promise<void>((resolve) => (got = resolve));
    await pb.collection('posts').subscribe('*', (e) => {
      seen.push(String(e.record['title']));
      got();
    });
    // the SDK's own subscribe reconnects on a refusal; the POST it makes is sent directly here
    await expect(pb.send('/api/realtime', { method: 'POST', body: { clientId: pb.realtime.clientId, subscriptions: ['secret/*'] } })).rejects.toMatchObject({
      status: 403,
      response: { message: 'Not that topic.' },
    });
    await client().collection('posts').create({ title: 'hello' });
    await arrived;
    expect(seen).toEqual(['hello']);
    await pb.realtime.unsubscribe();
  });

  it('auth hooks: a password sign-in refused with a ForbiddenError; request-otp sees no record for an unknown email and answers the same; OAuth2 sees e.isNewRecord', async () => {
    const users = client().collection('users');
    await users.create({ email: 'blocked@example.com', password: 'password123', passwordConfirm: 'password123' });
    await expect(users.authWithPassword('blocked@example.com', 'password123')).rejects.toMatchObject({ status: 403, response: { status: 403, message: 'Blocked by a hook.', data: {} } });
    await expect(users.authWithPassword('blocked@example.com', 'wrong-password')).rejects.toMatchObject({ status: 403 });
    await signUp('olga@example.com');

    const known = await users.requestOTP('olga@example.com');
    const unknown = await users.requestOTP('ghost@example.com');
    expect(Object.keys(unknown)).toEqual(Object.keys(known));
    expect(unknown.otpId).toMatch(/^[a-z0-9]{15}$/);
    expect((await state()).otpRecords).toEqual(['olga@example.com', null]);

    for (const isNew of [true, false]) {
      const pb = client();
      const provider = (await pb.collection('users').listAuthMethods()).oauth2.providers[0]!;
      const back = await oidc.authorize(provider.authURL + encodeURIComponent(REDIRECT_URL), 'zoe');
      const auth = await pb.collection('users').authWithOAuth2Code('oidc', back.code, provider.codeVerifier, REDIRECT_URL);
      expect(auth.meta?.['isNew']).toBe(isNew);
      expect(auth.record['email']).toBe('zoe@example.com');
    }
    expect((await state()).oauth2IsNew).toEqual([true, false]);
  });

  it('a route that clashes with a built-in one stops the start with a message naming both', async () => {
    const other = makeTempDir();
    try {
      writeFileSync(join(other, 'schema.json'), JSON.stringify(schema));
      writeFileSync(join(other, 'galley.hooks.ts'), `export default (app: any) => { app.routerAdd('POST', '/api/collections/{c}/records', () => {}); };`);
      await expect(startBinary({ schema: join(other, 'schema.json'), dir: join(other, 'data') })).rejects.toThrow(
        /routerAdd POST \/api\/collections\/\{c\}\/records clashes with the built-in route POST \/api\/collections\/:collection\/records/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('onTerminate runs on SIGTERM while the data is still there', async () => {
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
    expect(existsSync(join(dir, 'terminated'))).toBe(true);
    expect(readFileSync(join(dir, 'terminated'), 'utf8')).toBe('posts=1');
  });
});
