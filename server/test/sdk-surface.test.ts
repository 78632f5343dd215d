// A breadth sweep of the official `pocketbase` SDK (0.28.1), unchanged, over Galley's own listener: every public
// method of every service is called once the way an app would, and the answer's shape is checked. The deep
// scenarios live beside each feature (auth/, oauth2/, realtime/, batch/, files/, collections/); this file is the
// map of what the SDK can and cannot do against Galley. Services Galley has not built answer PocketBase's 404.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import PocketBase, { ClientResponseError, type RecordModel, type RecordSubscription } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../src/index.ts';
import { createTestLogger } from './helpers/test-logger.ts';
import { smtpSettings, startTestSmtp, tokenFromMail, type TestSmtp } from './auth/smtp.ts';
import { startS3rver, type TestS3 } from './helpers/s3rver.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URL, startTestOidc, type TestOidc } from './oauth2/oidc-server.ts';
import { selfServiceUsers } from './helpers/users-collection.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const PASSWORD = 'password123';
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;
const NOT_FOUND = { status: 404, message: "The requested resource wasn't found.", data: {} };

function sweepSchema(issuer: string): unknown[] {
  return [
    selfServiceUsers({
      deleteRule: 'id = @request.auth.id',
      fields: [{ name: 'name', type: 'text', max: 255 }],
      otp: { enabled: true, length: 6, emailTemplate: { subject: 'Your code', body: '<p>code=<b>{OTP}</b></p>' } },
      oauth2: {
        enabled: true,
        mappedFields: { name: 'name' },
        providers: [
          { name: 'oidc', displayName: 'Loopback ID', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userInfoURL: `${issuer}/me` },
        ],
      },
    }),
    {
      name: 'posts',
      type: 'base',
      listRule: '',
      // not "": a protected file is served to whoever passes the viewRule, token or not (PocketBase too)
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != ''",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200 },
        { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
        { name: 'attachment', type: 'file', maxSelect: 1 },
        { name: 'secret', type: 'file', maxSelect: 1, protected: true },
      ],
    },
  ];
}

let dir = '';
let galley: Galley;
let url = '';
let smtp: TestSmtp;
let s3: TestS3;
let oidc: TestOidc;
const hadEventSource = 'EventSource' in globalThis;
const previousEventSource = (globalThis as { EventSource?: unknown }).EventSource;

beforeAll(async () => {
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
  [smtp, s3, oidc] = await Promise.all([startTestSmtp(), startS3rver(), startTestOidc([REDIRECT_URL])]);
  await s3.createBucket('sweep');
  dir = mkdtempSync(join(tmpdir(), 'galley-sdk-surface-'));
  const schemaFile = join(dir, 'schema.json');
  writeFileSync(schemaFile, JSON.stringify(sweepSchema(oidc.issuer), null, 2) + '\n');
  galley = await createGalley({
    dir: join(dir, 'data'),
    schemaFile,
    allowCollectionWrites: true,
    env: {},
    logger: createTestLogger('error', () => {}),
    // many logins from one address in a few seconds: the limits have their own tests
    settings: { ...smtpSettings(smtp), rateLimits: { enabled: false } } as never,
  });
  await upsertSuperuser({ dir: join(dir, 'data') }, ROOT.email, ROOT.password);
  ({ url } = await galley.listen('127.0.0.1:0'));
}, 60_000);

afterAll(async () => {
  if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previousEventSource;
  else delete (globalThis as { EventSource?: unknown }).EventSource;
  await galley?.close();
  await Promise.all([smtp?.close(), s3?.stop(), oidc?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(): PocketBase {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

async function asRoot(): Promise<PocketBase> {
  const pb = client();
  await pb.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  return pb;
}

let userCount = 0;
/** A new signed-up, signed-in user of `users`. */
async function asNewUser(): Promise<{ pb: PocketBase; id: string; email: string }> {
  const email = `user${++userCount}@example.com`;
  const pb = client();
  const created = await pb.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, name: `User ${userCount}` });
  await pb.collection('users').authWithPassword(email, PASSWORD);
  return { pb, id: created.id, email };
}

/** The rejection of `p` as a ClientResponseError (fails the test if `p` resolves). */
async function rejectionOf(p: Promise<unknown>): Promise<ClientResponseError> {
  const err = await p.then(
    () => new Error('expected the SDK call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientResponseError);
  return err as ClientResponseError;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** The latest mail to `to` whose subject matches, waiting for it when it has not arrived yet. */
function mailTo(to: string, subject: RegExp) {
  return smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
}

describe('RecordService CRUD', () => {
  it('create (JSON and FormData), getOne with expand/fields, update, delete', async () => {
    const { pb, id } = await asNewUser();
    const posts = pb.collection('posts');
    const post = await posts.create({ title: 'first', owner: id });
    expect(post).toMatchObject({ collectionName: 'posts', title: 'first', owner: id, attachment: '', secret: '' });
    expect(post.id).toMatch(/^[a-z0-9]{15}$/);
    expect(post['collectionId']).toMatch(/^pbc_\d+$/);

    const form = new FormData();
    form.append('title', 'with a file');
    form.append('owner', id);
    form.append('attachment', new Blob(['hello file'], { type: 'text/plain' }), 'hello.txt');
    const withFile = await posts.create(form);
    expect(withFile['attachment']).toMatch(/^hello_[a-z0-9]{10}\.txt$/);

    const viewed = await posts.getOne(post.id, { expand: 'owner' });
    expect(viewed.expand?.['owner']).toMatchObject({ id, collectionName: 'users', name: expect.any(String) });
    expect(Object.keys(await posts.getOne(post.id, { fields: 'id,title' })).sort()).toEqual(['id', 'title']);

    const updated = await posts.update(post.id, { title: 'first!' });
    expect(updated).toMatchObject({ id: post.id, title: 'first!' });
    expect(updated['updated'] >= post['updated']).toBe(true);

    expect(await posts.delete(post.id)).toBe(true);
    const gone = await rejectionOf(posts.getOne(post.id));
    expect(gone.status).toBe(404);
    expect(gone.response).toEqual(NOT_FOUND);
  });

  it('getList (page shape, skipTotal), getFullList across pages, getFirstListItem (hit and SDK 404)', async () => {
    const { pb, id } = await asNewUser();
    const posts = pb.collection('posts');
    for (const title of ['list a', 'list b', 'list c']) await posts.create({ title, owner: id });
    const filter = pb.filter('owner = {:id}', { id });

    const page = await posts.getList(1, 2, { filter, sort: '-title' });
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(page.items.map((p) => p['title'])).toEqual(['list c', 'list b']);
    const skipped = await posts.getList(2, 2, { filter, sort: '-title', skipTotal: true });
    expect(skipped).toMatchObject({ page: 2, perPage: 2, totalItems: -1, totalPages: -1 });
    expect(skipped.items.map((p) => p['title'])).toEqual(['list a']);

    const all = await posts.getFullList({ filter, sort: 'title', batch: 2 });
    expect(all.map((p) => p['title'])).toEqual(['list a', 'list b', 'list c']);

    const first = await posts.getFirstListItem(pb.filter('title = {:t} && owner = {:id}', { t: 'list b', id }));
    expect(first).toMatchObject({ title: 'list b', owner: id });
    const none = await rejectionOf(posts.getFirstListItem('title = "no such title"'));
    expect(none.status).toBe(404);
  });

  it('a validation failure is PocketBase error shape with per-field codes', async () => {
    const { pb } = await asNewUser();
    const err = await rejectionOf(pb.collection('posts').create({ title: '' }));
    expect(err.status).toBe(400);
    expect(err.response).toMatchObject({ status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required' } } });
  });
});

describe('RecordService auth', () => {
  it('listAuthMethods answers the four keys the SDK asks for', async () => {
    const methods = await client().collection('users').listAuthMethods();
    expect(Object.keys(methods).sort()).toEqual(['mfa', 'oauth2', 'otp', 'password']);
    expect(methods.password).toEqual({ enabled: true, identityFields: ['email'] });
    expect(methods.otp).toEqual({ enabled: true, duration: 180 });
    expect(methods.mfa).toEqual({ enabled: false, duration: 0 });
    expect(methods.oauth2.enabled).toBe(true);
    expect(methods.oauth2.providers).toHaveLength(1);
    expect(methods.oauth2.providers[0]).toMatchObject({
      name: 'oidc',
      displayName: 'Loopback ID',
      state: expect.any(String),
      codeVerifier: expect.any(String),
      codeChallenge: expect.any(String),
      codeChallengeMethod: 'S256',
      authURL: expect.stringMatching(/&redirect_uri=$/),
    });
  });

  it('authWithPassword and authRefresh fill the store with a token and a record without secrets', async () => {
    const { email, id } = await asNewUser();
    const pb = client();
    const auth = await pb.collection('users').authWithPassword(email, PASSWORD);
    expect(auth.record).toMatchObject({ id, email, collectionName: 'users', verified: false });
    expect(auth.record).not.toHaveProperty('password');
    expect(auth.record).not.toHaveProperty('tokenKey');
    expect(pb.authStore.token).toBe(auth.token);
    const refreshed = await pb.collection('users').authRefresh();
    expect(refreshed.record.id).toBe(id);
    expect(refreshed.token.split('.')).toHaveLength(3);
    expect(pb.authStore.token).toBe(refreshed.token);
    const wrong = await rejectionOf(client().collection('users').authWithPassword(email, 'not the password'));
    expect(wrong.response).toEqual({ status: 400, message: 'Failed to authenticate.', data: {} });
  });

  it('requestVerification → confirmVerification; the SDK marks its own record verified', async () => {
    const { pb, email } = await asNewUser();
    expect(await pb.collection('users').requestVerification(email)).toBe(true);
    const token = tokenFromMail(await mailTo(email, /Verify/), 'confirm-verification');
    expect(await pb.collection('users').confirmVerification(token)).toBe(true);
    expect(pb.authStore.record?.['verified']).toBe(true);
    expect((await pb.collection('users').authRefresh()).record['verified']).toBe(true);
  });

  it('requestPasswordReset → confirmPasswordReset; the new password signs in', async () => {
    const { email } = await asNewUser();
    const pb = client();
    expect(await pb.collection('users').requestPasswordReset(email)).toBe(true);
    const token = tokenFromMail(await mailTo(email, /Reset/), 'confirm-password-reset');
    expect(await pb.collection('users').confirmPasswordReset(token, 'another-pass-1', 'another-pass-1')).toBe(true);
    expect((await pb.collection('users').authWithPassword(email, 'another-pass-1')).record['email']).toBe(email);
  });

  it('requestEmailChange → confirmEmailChange; the SDK clears its store for its own record', async () => {
    const { pb, email } = await asNewUser();
    const newEmail = `changed-${email}`;
    expect(await pb.collection('users').requestEmailChange(newEmail)).toBe(true);
    const token = tokenFromMail(await mailTo(newEmail, /.*/), 'confirm-email-change');
    expect(await pb.collection('users').confirmEmailChange(token, PASSWORD)).toBe(true);
    expect(pb.authStore.isValid).toBe(false);
    expect((await pb.collection('users').authWithPassword(newEmail, PASSWORD)).record['email']).toBe(newEmail);
  });

  it('requestOTP → authWithOTP', async () => {
    const { email, id } = await asNewUser();
    const pb = client();
    const sent = await pb.collection('users').requestOTP(email);
    expect(Object.keys(sent)).toEqual(['otpId']);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.subject === 'Your code');
    const code = /code=<b>(\d{6})<\/b>/.exec(mail.html)![1]!;
    const auth = await pb.collection('users').authWithOTP(sent.otpId, code);
    expect(auth.record).toMatchObject({ id, email });
    expect(pb.authStore.record?.id).toBe(id);
  });

  it('authWithOAuth2Code signs up, listExternalAuths lists the link, unlinkExternalAuth removes it', async () => {
    oidc.accounts.set('olga', { email: 'olga@example.com', email_verified: true, name: 'Olga' });
    const pb = client();
    const provider = (await pb.collection('users').listAuthMethods()).oauth2.providers[0]!;
    const back = await oidc.authorize(provider.authURL + encodeURIComponent(REDIRECT_URL), 'olga');
    expect(back.state).toBe(provider.state);
    const auth = await pb.collection('users').authWithOAuth2Code('oidc', back.code, provider.codeVerifier, REDIRECT_URL, { name: 'Olga O.' });
    // wire: createData wins over the mapped provider name, as in PocketBase's oauth2Submit
    expect(auth.record).toMatchObject({ email: 'olga@example.com', verified: true, name: 'Olga O.' });
    expect(auth.meta).toMatchObject({ id: 'olga', email: 'olga@example.com', isNew: true });
    expect(pb.authStore.record?.id).toBe(auth.record.id);

    const links = await pb.collection('users').listExternalAuths(auth.record.id);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ collectionName: '_externalAuths', provider: 'oidc', providerId: 'olga', recordRef: auth.record.id, created: expect.stringMatching(STAMP) });
    expect(await pb.collection('users').unlinkExternalAuth(auth.record.id, 'oidc')).toBe(true);
    expect(await pb.collection('users').listExternalAuths(auth.record.id)).toEqual([]);
  });

  it('impersonate gives a new client signed in as the record', async () => {
    const { id } = await asNewUser();
    const root = await asRoot();
    const before = Math.floor(Date.now() / 1000);
    const as = await root.collection('users').impersonate(id, 600);
    const after = Math.ceil(Date.now() / 1000);
    expect(as).toBeInstanceOf(PocketBase);
    expect(as.authStore.record).toMatchObject({ id, collectionName: 'users' });
    expect(as.authStore.isValid).toBe(true);
    expect(root.authStore.isSuperuser).toBe(true);
    const payload = payloadOf(as.authStore.token);
    expect(payload).toMatchObject({ id, type: 'auth', refreshable: false });
    // PocketBase's claims carry no iat: the duration shows in exp alone
    expect(payload['exp']).toBeGreaterThanOrEqual(before + 600);
    expect(payload['exp']).toBeLessThanOrEqual(after + 600);
    expect((await as.collection('users').getOne(id)).id).toBe(id);
  });
});

describe('pb.authStore with Galley tokens', () => {
  it('isValid, isSuperuser, record, onChange, cookie round trip and clear', async () => {
    const { email, id } = await asNewUser();
    const pb = client();
    const changes: Array<string> = [];
    pb.authStore.onChange((token) => changes.push(token));
    expect(pb.authStore.isValid).toBe(false);
    await pb.collection('users').authWithPassword(email, PASSWORD);
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.isSuperuser).toBe(false);
    expect(pb.authStore.record).toMatchObject({ id, email, collectionName: 'users' });
    expect(payloadOf(pb.authStore.token)).toMatchObject({ id, type: 'auth', collectionId: pb.authStore.record?.collectionId, refreshable: true });

    const cookie = pb.authStore.exportToCookie({ secure: false });
    expect(cookie).toMatch(/^pb_auth=.*Expires=/);
    const restored = client();
    restored.authStore.loadFromCookie(cookie);
    expect(restored.authStore.isValid).toBe(true);
    expect(restored.authStore.record?.id).toBe(id);
    expect((await restored.collection('users').authRefresh()).record.id).toBe(id);

    pb.authStore.clear();
    expect(pb.authStore.isValid).toBe(false);
    expect(pb.authStore.record).toBeNull();
    expect(changes).toHaveLength(2);

    const root = await asRoot();
    expect(root.authStore.isSuperuser).toBe(true);
    expect(root.authStore.record?.collectionName).toBe('_superusers');
    // the deprecated alias still names the superusers collection
    const legacy = client();
    await legacy.admins.authWithPassword(ROOT.email, ROOT.password);
    expect(legacy.authStore.isSuperuser).toBe(true);
  });
});

describe('CollectionService', () => {
  it('getList, getFullList, getFirstListItem, getOne', async () => {
    const root = await asRoot();
    const page = await root.collections.getList(1, 2, { sort: 'name' });
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: expect.any(Number) });
    expect(page.items).toHaveLength(2);
    const all = await root.collections.getFullList({ filter: 'system = false', sort: 'name' });
    expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(['posts', 'users']));
    const users = await root.collections.getFirstListItem('name = "users"');
    expect(users).toMatchObject({ type: 'auth', system: false, created: expect.stringMatching(STAMP) });
    const posts = await root.collections.getOne('posts');
    expect(posts.fields.map((f) => f.name)).toEqual(['id', 'title', 'owner', 'attachment', 'secret', 'created', 'updated']);
    expect(posts).toMatchObject({ id: expect.stringMatching(/^pbc_/), name: 'posts', type: 'base', listRule: '', indexes: [] });
    const guest = await rejectionOf(client().collections.getFullList());
    expect(guest.status).toBe(401);
  });

  it('create, update, truncate, delete a collection (collection writes on)', async () => {
    const root = await asRoot();
    const made = await root.collections.create({ name: 'scratch', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'label', type: 'text' }] });
    expect(made).toMatchObject({ name: 'scratch', type: 'base', system: false });
    expect(made.fields.map((f) => f.name)).toEqual(['id', 'label']);
    const changed = await root.collections.update('scratch', { deleteRule: '' });
    expect(changed).toMatchObject({ id: made.id, deleteRule: '' });

    await root.collection('scratch').create({ label: 'one' });
    await root.collection('scratch').create({ label: 'two' });
    expect(await root.collections.truncate('scratch')).toBe(true);
    expect((await root.collection('scratch').getList()).totalItems).toBe(0);

    expect(await root.collections.delete('scratch')).toBe(true);
    expect((await rejectionOf(root.collections.getOne('scratch'))).status).toBe(404);
  });

  it('import adds a collection and keeps the others; getScaffolds; getAllOAuth2Providers', async () => {
    const root = await asRoot();
    const before = await root.collections.getFullList({ filter: 'system = false' });
    const tags = { name: 'tags', type: 'base', listRule: '', fields: [{ name: 'label', type: 'text' }] };
    expect(await root.collections.import([...before, tags] as never, false)).toBe(true);
    const after = await root.collections.getFullList({ filter: 'system = false' });
    expect(after.map((c) => c.name).sort()).toEqual([...before.map((c) => c.name), 'tags'].sort());

    const scaffolds = await root.collections.getScaffolds();
    expect(Object.keys(scaffolds).sort()).toEqual(['auth', 'base', 'view']);
    expect(scaffolds['auth']).toMatchObject({ type: 'auth', name: '', id: '' });
    expect(scaffolds['auth']!.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['id', 'email', 'password', 'tokenKey', 'verified']));

    const providers = await root.collections.getAllOAuth2Providers();
    expect(providers.map((p) => p.name)).toEqual(expect.arrayContaining(['google', 'github', 'oidc']));
    expect(providers[0]).toEqual({ name: expect.any(String), displayName: expect.any(String), logo: expect.any(String) });
  });
});

describe('FileService', () => {
  it('getURL serves a public file; a protected one needs getToken()', async () => {
    const { pb, id } = await asNewUser();
    const form = new FormData();
    form.append('title', 'files');
    form.append('owner', id);
    form.append('attachment', new Blob(['public bytes'], { type: 'text/plain' }), 'pub.txt');
    form.append('secret', new Blob(['secret bytes'], { type: 'text/plain' }), 'sec.txt');
    const post = await pb.collection('posts').create(form);

    const publicURL = pb.files.getURL(post, post['attachment']);
    expect(publicURL).toBe(`${url}/api/files/${post['collectionId']}/${post.id}/${post['attachment']}`);
    const pub = await fetch(publicURL);
    expect([pub.status, await pub.text()]).toEqual([200, 'public bytes']);
    const asAttachment = await fetch(pb.files.getURL(post, post['attachment'], { download: true }));
    expect(asAttachment.headers.get('content-disposition')).toMatch(/^attachment; filename="pub_[a-z0-9]{10}\.txt"/);
    await asAttachment.body?.cancel();

    expect((await fetch(pb.files.getURL(post, post['secret']))).status).toBe(404);
    const token = await pb.files.getToken();
    expect(payloadOf(token)).toMatchObject({ id, type: 'file' });
    const sec = await fetch(pb.files.getURL(post, post['secret'], { token }));
    expect([sec.status, await sec.text()]).toEqual([200, 'secret bytes']);
  });
});

describe('SettingsService', () => {
  it('getAll and update in PocketBase shape, secrets left out', async () => {
    const root = await asRoot();
    const settings = await root.settings.getAll();
    expect(Object.keys(settings)).toEqual(expect.arrayContaining(['meta', 'smtp', 's3', 'backups', 'batch', 'rateLimits', 'trustedProxy', 'logs']));
    expect(settings['smtp']).toMatchObject({ enabled: true, host: '127.0.0.1', port: smtp.port });
    expect(settings['smtp']).not.toHaveProperty('password');
    expect(settings['s3']).not.toHaveProperty('secret');
    const updated = await root.settings.update({ meta: { appName: 'Sweep App' } });
    expect(updated['meta']).toMatchObject({ appName: 'Sweep App' });
    expect((await root.settings.getAll())['meta']['appName']).toBe('Sweep App');
    expect((await rejectionOf(client().settings.getAll())).status).toBe(401);
  });

  it('testEmail sends the template; testS3 checks a real bucket', async () => {
    const root = await asRoot();
    expect(await root.settings.testEmail('users', 'probe@example.com', 'verification')).toBe(true);
    expect((await mailTo('probe@example.com', /Verify/)).html).toMatch(/confirm-verification\//);

    const off = await rejectionOf(root.settings.testS3());
    expect(off.status).toBe(400);
    expect(off.response['message']).toMatch(/^Failed to test the S3 filesystem\./);
    await root.settings.update({ s3: { enabled: true, bucket: 'sweep', ...s3.options } });
    try {
      expect(await root.settings.testS3('storage')).toBe(true);
    } finally {
      await root.settings.update({ s3: { enabled: false } });
    }
  });
});

describe('RealtimeService and RecordService.subscribe', () => {
  it('subscribe("*") and to one record, unsubscribe by topic, prefix and all', async () => {
    const { pb, id, email } = await asNewUser();
    // signed in as the owner: users' viewRule lets only the owner see (and expand) the owner
    const watcher = client();
    await watcher.collection('users').authWithPassword(email, PASSWORD);
    try {
      await sweepRealtime(pb, watcher, id);
    } finally {
      await watcher.realtime.unsubscribe();
    }
  });
});

async function sweepRealtime(pb: PocketBase, watcher: PocketBase, id: string): Promise<void> {
  {
    const all: RecordSubscription<RecordModel>[] = [];
    const one: RecordSubscription<RecordModel>[] = [];
    const raw: unknown[] = [];
    const unsubAll = await watcher.collection('posts').subscribe('*', (e) => all.push(e));
    expect(watcher.realtime.isConnected).toBe(true);
    expect(watcher.realtime.clientId).not.toBe('');

    const post = await pb.collection('posts').create({ title: 'live', owner: id });
    await expect.poll(() => all.length, { timeout: 10_000 }).toBe(1);
    expect(all[0]).toMatchObject({ action: 'create', record: { id: post.id, title: 'live', collectionName: 'posts' } });

    await watcher.collection('posts').subscribe(post.id, (e) => one.push(e), { expand: 'owner' });
    await watcher.realtime.subscribe('posts', (e) => raw.push(e));
    await pb.collection('posts').update(post.id, { title: 'live!' });
    await expect.poll(() => [all.length, one.length, raw.length], { timeout: 10_000 }).toEqual([2, 1, 1]);
    expect(one[0]).toMatchObject({ action: 'update', record: { title: 'live!', expand: { owner: { id } } } });
    expect(raw[0]).toMatchObject({ action: 'update', record: { id: post.id } });

    await unsubAll();
    await watcher.collection('posts').unsubscribe(post.id);
    await watcher.realtime.unsubscribeByPrefix('posts');
    expect(watcher.realtime.isConnected).toBe(false);

    // a fresh subscription on the same client reconnects, and unsubscribe() drops everything
    const again: unknown[] = [];
    await watcher.collection('posts').subscribe('*', (e) => again.push(e));
    expect(watcher.realtime.isConnected).toBe(true);
    await pb.collection('posts').delete(post.id);
    await expect.poll(() => again.length, { timeout: 10_000 }).toBe(1);
    expect(again[0]).toMatchObject({ action: 'delete', record: { id: post.id } });
    expect([all.length, one.length, raw.length]).toEqual([2, 1, 1]);
    await watcher.realtime.unsubscribe();
    expect(watcher.realtime.isConnected).toBe(false);
  }
}

describe('BatchService', () => {
  it('create, update, upsert and delete in one send()', async () => {
    const { pb, id } = await asNewUser();
    const kept = await pb.collection('posts').create({ title: 'batch seed', owner: id });
    const batch = pb.createBatch();
    batch.collection('posts').create({ title: 'batch new', owner: id });
    batch.collection('posts').update(kept.id, { title: 'batch updated' });
    batch.collection('posts').upsert({ id: 'batchupsert0001', title: 'batch upserted', owner: id });
    batch.collection('posts').delete(kept.id);
    const results = await batch.send();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 204]);
    expect(results[0]!.body).toMatchObject({ title: 'batch new', collectionName: 'posts' });
    expect(results[1]!.body).toMatchObject({ id: kept.id, title: 'batch updated' });
    expect(results[2]!.body).toMatchObject({ id: 'batchupsert0001' });
    expect(results[3]!.body).toBeNull();
  });
});

describe('HealthService', () => {
  it('check() answers PocketBase health shape; superusers also get the deployment hints', async () => {
    expect(await client().health.check()).toEqual({ code: 200, message: 'API is healthy.', data: {} });
    const { pb } = await asNewUser();
    expect((await pb.health.check()).data).toEqual({});
    const root = await asRoot();
    expect(await root.health.check()).toEqual({
      code: 200,
      message: 'API is healthy.',
      data: { canBackup: true, realIP: '127.0.0.1', possibleProxyHeader: '' },
    });
    const proxied = await root.health.check({ headers: { 'Fly-Client-IP': '203.0.113.9' } });
    // the header is only a hint: with no trusted proxy the socket's address stays the client's
    expect(proxied.data).toEqual({ canBackup: true, realIP: '127.0.0.1', possibleProxyHeader: 'Fly-Client-IP' });
  });
});

describe('LogService', () => {
  it('getList/getOne/getStats answer PocketBase shapes (deep cases: server/test/logs/logs.routes.test.ts)', async () => {
    const root = await asRoot();
    await client().health.check();
    await galley.core.logs.flush();
    const list = await root.logs.getList(1, 5, { filter: 'data.type = "request"', sort: '-@rowid' });
    expect(list).toMatchObject({ page: 1, perPage: 5 });
    expect(list.totalItems).toBeGreaterThan(0);
    const first = list.items[0]!;
    expect(Object.keys(first)).toEqual(['id', 'created', 'data', 'message', 'level']);
    expect(first.created).toMatch(STAMP);
    expect(await root.logs.getOne(first.id)).toEqual(first);
    const stats = await root.logs.getStats({ filter: 'data.type = "request"' });
    expect(stats.length).toBeGreaterThan(0);
    expect(Object.keys(stats[0]!)).toEqual(['date', 'total']);
    expect(stats[0]!.date).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00\.000Z$/);
    const err = await rejectionOf(root.logs.getOne('nosuchlog'));
    expect([err.status, err.response]).toEqual([404, NOT_FOUND]);
    expect((await rejectionOf(client().logs.getList())).status).toBe(401);
  });
});

describe('CronService', () => {
  it("getFullList() lists PocketBase's built-in jobs; run() answers true (204); an unknown id is 404, a user 403", async () => {
    const root = await asRoot();
    const jobs = await root.crons.getFullList();
    expect(jobs.map((j) => j.id)).toEqual(['__pbDBOptimize__', '__pbMFACleanup__', '__pbOTPCleanup__', '__pbLogsCleanup__', '__pbRateLimitersCleanup__']);
    expect(jobs[0]).toMatchObject({ id: '__pbDBOptimize__', expression: '0 0 * * *' });
    expect(await root.crons.run('__pbLogsCleanup__')).toBe(true);
    const err = await rejectionOf(root.crons.run('__nope__'));
    expect([err.status, err.response]).toEqual([404, { status: 404, message: 'Missing or invalid cron job.', data: {} }]);
    const { pb } = await asNewUser();
    expect((await rejectionOf(pb.crons.getFullList())).status).toBe(403);
  });
});

// both built in admin/sql-console.ts and admin/dry-run-view.ts; their scenario tables: server/test/admin/sql-console.routes.test.ts
describe('SQLService and collections.dryRunViewQuery', () => {
  it('sql.run answers columns and string rows to a superuser; a user gets 403', async () => {
    const root = await asRoot();
    const result = await root.sql.run("SELECT 1 AS one, 'x' AS two");
    expect(result.columns.map((c) => c.name)).toEqual(['one', 'two']);
    expect(result.rows).toEqual([['1', 'x']]);
    const { pb } = await asNewUser();
    expect((await rejectionOf(pb.sql.run('SELECT 1'))).status).toBe(403);
  });

  it('collections.dryRunViewQuery answers the fields a view would get', async () => {
    const root = await asRoot();
    // the SDK 0.28 types this as an array; PocketBase's apis/collection.go answers {fields, sample}, as Galley does
    const preview = (await root.collections.dryRunViewQuery('SELECT id, title FROM posts')) as unknown as { fields: Array<{ name: string }>; sample: unknown[] };
    expect(Object.keys(preview)).toEqual(expect.arrayContaining(['fields', 'sample']));
    expect(preview.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['id', 'title']));
  });
});

describe('services Galley has not built answer PocketBase 404', () => {
  const calls: Array<[string, (pb: PocketBase) => Promise<unknown>]> = [
    // wire: PocketBase has no DELETE /api/logs either (apis/logs.go: list, stats, view)
    ['logs.truncate', (pb) => pb.logs.truncate()],
  ];
  it.each(calls)('%s', async (_name, call) => {
    const err = await rejectionOf(call(await asRoot()));
    expect(err.status).toBe(404);
    expect(err.response).toEqual(NOT_FOUND);
  });

  // built (server/test/admin/apple-client-secret.routes.test.ts): the SDK's call reaches it and gets PocketBase's errors
  it('settings.generateAppleClientSecret answers PocketBase validation errors', async () => {
    const err = await rejectionOf((await asRoot()).settings.generateAppleClientSecret('com.example', 'TEAM123456', 'KEY1234567', 'not a key', 3600));
    expect(err.status).toBe(400);
    expect(err.response).toMatchObject({ message: 'Invalid client secret data.', data: { privateKey: { code: 'validation_match_invalid' } } });
  });

  // backups.* are built (server/test/backups/backups.routes.test.ts); a missing backup's download is a 404
  it('backups.getDownloadURL builds PocketBase URL; a missing backup answers 404', async () => {
    const root = await asRoot();
    const token = await root.files.getToken();
    const downloadURL = root.backups.getDownloadURL(token, 'sweep.zip');
    expect(downloadURL).toBe(`${url}/api/backups/sweep.zip?token=${encodeURIComponent(token)}`);
    const res = await fetch(downloadURL);
    expect([res.status, await res.json()]).toEqual([404, NOT_FOUND]);
  });
});
