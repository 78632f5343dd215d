// GET /api/crons and POST /api/crons/{id} through the official SDK (pb.crons.*), unchanged, over a socket: who
// may call them, PocketBase's ids, schedules and order, what each built-in job does to real data, and the run
// facts Galley keeps across a restart.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { createSignInThrottle, SIGN_IN_FREE_TRIES, SIGN_IN_WINDOW_MS } from '../../src/auth/sign-in-throttle.ts';
import { optimizeDatabases } from '../../src/cron/builtin-jobs.ts';
import { sweepRateLimitWindows } from '../../src/http/rate-limit.ts';
import { formatDateTime } from '../../src/lib/datetime.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { rejectionOf } from '../helpers/sdk-rejection.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const USER = { email: 'ann@example.com', password: 'password123' };
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;
/** wire: PocketBase's built-ins in its registration order, with its schedules */
const BUILT_INS = [
  { id: '__pbDBOptimize__', expression: '0 0 * * *' },
  { id: '__pbMFACleanup__', expression: '0 * * * *' },
  { id: '__pbOTPCleanup__', expression: '0 * * * *' },
  { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
  { id: '__pbRateLimitersCleanup__', expression: '2 * * * *' },
];

let dir = '';
let galley: Galley;
let url = '';
let root: PocketBase;
let user: PocketBase;
let usersId = '';

const schema = () => [selfServiceUsers({ otp: { enabled: true, duration: 180 }, mfa: { enabled: false, duration: 600 } })];

function client(): PocketBase {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

async function open(): Promise<void> {
  galley = await createGalley({ dir, schema: schema(), env: {}, logger: createTestLogger('error', () => {}), settings: { rateLimits: { enabled: false } } as never });
  url = (await galley.listen('127.0.0.1:0')).url;
  usersId = galley.core.schema.findCollection('users')!.id;
}

/** the list as plain records (Galley's fields beside PocketBase's id and expression) */
async function listJobs(pb: PocketBase): Promise<Array<Record<string, unknown>>> {
  return (await pb.crons.getFullList()) as unknown as Array<Record<string, unknown>>;
}

/** POST /api/crons/{id} answers before the run ends: wait until the job's lastRun moves past `before`. */
async function runAndWait(pb: PocketBase, id: string): Promise<Record<string, unknown>> {
  const before = (await listJobs(pb)).find((j) => j['id'] === id);
  expect(await pb.crons.run(id)).toBe(true);
  for (let i = 0; i < 200; i++) {
    const job = (await listJobs(pb)).find((j) => j['id'] === id)!;
    if (job['lastRun'] !== before?.['lastRun'] || job['lastDurationMs'] !== before?.['lastDurationMs']) return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${id} did not finish`);
}

/** rows of `_otps`/`_mfas` created `agoSeconds` before now */
async function insertAuthRows(table: '_otps' | '_mfas', rows: Array<{ id: string; agoSeconds: number; collectionRef?: string }>): Promise<void> {
  const now = Date.now();
  await galley.core.db.writer.run(async (tx) => {
    for (const r of rows) {
      const stamp = formatDateTime(new Date(now - r.agoSeconds * 1000));
      const base = { id: r.id, collectionRef: r.collectionRef ?? usersId, recordRef: 'rec000000000001', created: stamp, updated: stamp };
      await tx.db.insertInto(table).values(table === '_otps' ? { ...base, password: 'x', sentTo: '' } : { ...base, method: 'password' }).execute();
    }
  });
}

const idsIn = async (table: string) => ((await galley.core.db.read.selectFrom(table).select('id').orderBy('id').execute()) as Array<{ id: string }>).map((r) => r.id);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-crons-routes-'));
  await open();
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  root = client();
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  user = client();
  await user.collection('users').create({ ...USER, passwordConfirm: USER.password });
  await user.collection('users').authWithPassword(USER.email, USER.password);
});

afterAll(async () => {
  await galley?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('who may list and run cron jobs (superusers only, as PocketBase)', () => {
  const table: Array<{ name: string; as: () => PocketBase; call: (pb: PocketBase) => Promise<unknown>; status: number; message: string }> = [
    { name: 'a guest lists', as: () => client(), call: (pb) => pb.crons.getFullList(), status: 401, message: 'The request requires valid record authorization token.' },
    { name: 'a guest runs', as: () => client(), call: (pb) => pb.crons.run('__pbOTPCleanup__'), status: 401, message: 'The request requires valid record authorization token.' },
    { name: 'a user lists', as: () => user, call: (pb) => pb.crons.getFullList(), status: 403, message: 'The authorized record is not allowed to perform this action.' },
    { name: 'a user runs', as: () => user, call: (pb) => pb.crons.run('__pbOTPCleanup__'), status: 403, message: 'The authorized record is not allowed to perform this action.' },
    { name: 'a user runs an unknown id (refused before the lookup)', as: () => user, call: (pb) => pb.crons.run('nope'), status: 403, message: 'The authorized record is not allowed to perform this action.' },
    { name: 'a superuser runs an unknown id', as: () => root, call: (pb) => pb.crons.run('nope'), status: 404, message: 'Missing or invalid cron job.' },
    { name: 'a superuser runs an id in another case', as: () => root, call: (pb) => pb.crons.run('__PBOTPCLEANUP__'), status: 404, message: 'Missing or invalid cron job.' },
  ];
  it.each(table)('$name → $status', async ({ as, call, status, message }) => {
    const err = await rejectionOf(call(as()));
    expect(err.status).toBe(status);
    expect(err.response).toEqual({ status, message, data: {} });
  });
});

describe('GET /api/crons', () => {
  it("lists PocketBase's built-in jobs by its ids, after the app's own jobs (sorted by id)", async () => {
    const jobs = await root.crons.getFullList();
    expect(jobs.map(({ id, expression }) => ({ id, expression }))).toEqual(BUILT_INS);
    for (const j of jobs as unknown as Array<Record<string, unknown>>) {
      expect(Object.keys(j)).toEqual(['id', 'expression', 'lastRun', 'lastDurationMs', 'lastError', 'nextRun']);
      expect(j['nextRun']).toMatch(STAMP);
    }
    galley.core.cron.add('zz-report', '@daily', () => {});
    galley.core.cron.add('aa-sync', '*/5 * * * *', () => {});
    try {
      const ids = (await root.crons.getFullList()).map((j) => j.id);
      expect(ids).toEqual(['aa-sync', 'zz-report', ...BUILT_INS.map((b) => b.id)]);
      const report = (await root.crons.getFullList()).find((j) => j.id === 'zz-report')!;
      expect(report.expression).toBe('0 0 * * *');
    } finally {
      galley.core.cron.remove('zz-report');
      galley.core.cron.remove('aa-sync');
    }
  });
});

describe('POST /api/crons/{id}: the built-in jobs', () => {
  it('__pbOTPCleanup__ deletes expired one-time passwords (per collection duration) and keeps live ones', async () => {
    await insertAuthRows('_otps', [
      { id: 'otpexpired00001', agoSeconds: 181 },
      { id: 'otplive0000001', agoSeconds: 170 },
      { id: 'otplive0000002', agoSeconds: 0 },
      // a collection since removed: kept until PocketBase's longest duration has passed
      { id: 'otporphan00001', agoSeconds: 3600, collectionRef: 'pbc_gone' },
      { id: 'otporphan00002', agoSeconds: 86401, collectionRef: 'pbc_gone' },
    ]);
    expect(await idsIn('_otps')).toHaveLength(5);
    const job = await runAndWait(root, '__pbOTPCleanup__');
    expect(job).toMatchObject({ id: '__pbOTPCleanup__', lastError: null });
    expect(job['lastRun']).toMatch(STAMP);
    expect(typeof job['lastDurationMs']).toBe('number');
    expect(await idsIn('_otps')).toEqual(['otplive0000001', 'otplive0000002', 'otporphan00001']);
  });

  it('__pbMFACleanup__ deletes expired MFA sessions (600 s here) and keeps live ones', async () => {
    await insertAuthRows('_mfas', [
      { id: 'mfaexpired00001', agoSeconds: 601 },
      { id: 'mfalive0000001', agoSeconds: 599 },
    ]);
    expect(await idsIn('_mfas')).toHaveLength(2);
    expect(await runAndWait(root, '__pbMFACleanup__')).toMatchObject({ lastError: null });
    expect(await idsIn('_mfas')).toEqual(['mfalive0000001']);
  });

  it('__pbLogsCleanup__ deletes log entries older than logs.maxDays (5)', async () => {
    const day = 86_400_000;
    galley.core.logs.write({ level: 0, message: 'six days old', data: { type: 'seed' }, created: Date.now() - 6 * day });
    galley.core.logs.write({ level: 0, message: 'four days old', data: { type: 'seed' }, created: Date.now() - 4 * day });
    await galley.core.logs.flush();
    const seeded = async () => (await root.logs.getList(1, 50, { filter: 'data.type = "seed"' })).items.map((l) => l.message);
    expect((await seeded()).sort()).toEqual(['four days old', 'six days old']);
    expect(await runAndWait(root, '__pbLogsCleanup__')).toMatchObject({ lastError: null });
    expect(await seeded()).toEqual(['four days old']);
  });

  it('__pbDBOptimize__ checkpoints the WAL of data.db to nothing (through the writer) and optimizes both databases', async () => {
    await galley.core.db.writer.run(async (tx) => {
      for (let i = 0; i < 200; i++) await tx.db.insertInto('_otps').values({ id: `otpbulk${String(i).padStart(8, '0')}`, collectionRef: usersId, recordRef: 'r', password: 'x'.repeat(400), sentTo: '', created: formatDateTime(new Date()), updated: formatDateTime(new Date()) }).execute();
    });
    const wal = join(dir, 'data.db-wal');
    expect(statSync(wal).size).toBeGreaterThan(0);
    await optimizeDatabases(galley.core);
    expect(statSync(wal).size).toBe(0);
    // and through the route, with a write racing it
    const racing = galley.core.db.writer.run(async (tx) => void (await tx.db.deleteFrom('_otps').where('id', 'like', 'otpbulk%').execute()));
    expect(await runAndWait(root, '__pbDBOptimize__')).toMatchObject({ lastError: null });
    await racing;
    expect(await idsIn('_otps')).not.toContain('otpbulk00000000');
  });

  it('__pbRateLimitersCleanup__ runs (what it sweeps is tested below)', async () => {
    expect(await runAndWait(root, '__pbRateLimitersCleanup__')).toMatchObject({ lastError: null });
  });
});

describe('run facts survive a restart (aux.db)', () => {
  it("lastRun, lastDurationMs and lastError are kept; an app job's error is remembered when it is added again", async () => {
    galley.core.cron.add('boom', '0 3 * * *', () => {
      throw new Error('report server unreachable');
    });
    const failed = await runAndWait(root, 'boom');
    expect(failed).toMatchObject({ id: 'boom', expression: '0 3 * * *', lastError: 'report server unreachable' });
    const before = await listJobs(root);
    const otpBefore = before.find((j) => j['id'] === '__pbOTPCleanup__')!;

    await galley.close();
    await open();
    root = client();
    await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
    const after = await listJobs(root);
    expect(after.map((j) => j['id'])).toEqual(BUILT_INS.map((b) => b.id)); // boom is the app's to add again
    const otpAfter = after.find((j) => j['id'] === '__pbOTPCleanup__')!;
    expect(otpAfter).toEqual({ ...otpBefore, nextRun: otpAfter['nextRun'] });
    expect(otpAfter['lastRun']).toMatch(STAMP);
    galley.core.cron.add('boom', '0 3 * * *', () => {});
    const boom = (await listJobs(root)).find((j) => j['id'] === 'boom')!;
    expect(boom).toMatchObject({ lastRun: failed['lastRun'], lastDurationMs: failed['lastDurationMs'], lastError: 'report server unreachable' });
    galley.core.cron.remove('boom');
  });
});

describe('rate-limiter cleanup sweeps what has expired, and nothing else', () => {
  it('per-IP windows: ended ones go, running ones stay', async () => {
    const d = mkdtempSync(join(tmpdir(), 'galley-crons-rl-'));
    const g = await createGalley({
      dir: d,
      schema: schema(),
      env: {},
      logger: createTestLogger('error', () => {}),
      settings: { rateLimits: { enabled: true, rules: [{ label: '/api/', maxRequests: 100, duration: 10, audience: '' }] } } as never,
    });
    try {
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expect((await callGalley(g, 'GET', '/api/health', { ip })).status).toBe(200);
      const now = Date.now();
      expect(sweepRateLimitWindows(g.core, now)).toBe(0);
      expect(sweepRateLimitWindows(g.core, now + 11_000)).toBe(3);
      expect(sweepRateLimitWindows(g.core, now + 11_000)).toBe(0);
      // two Galleys in one process: each its own scheduler
      g.core.cron.add('only-here', '@hourly', () => {});
      expect(g.core.cron.list().map((j) => j.id)).toContain('only-here');
      expect(galley.core.cron.list().map((j) => j.id)).not.toContain('only-here');
    } finally {
      await g.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('sign-in throttle: accounts past their window that trust no IP go; recent ones and trusted ones stay', () => {
    const th = createSignInThrottle();
    const t0 = 1_000_000;
    for (let i = 0; i < SIGN_IN_FREE_TRIES; i++) th.admitSignIn('c', 'idle@example.com', '198.51.100.1', t0);
    th.admitSignIn('c', 'owner@example.com', '198.51.100.2', t0);
    th.noteSignInSuccess('c', 'owner@example.com', '198.51.100.2');
    for (let i = 0; i < SIGN_IN_FREE_TRIES; i++) th.admitSignIn('c', 'recent@example.com', '198.51.100.3', t0 + 60_000);
    const later = t0 + SIGN_IN_WINDOW_MS;
    expect(th.sweepSignInThrottle(later - 1)).toBe(0);
    expect(th.sweepSignInThrottle(later)).toBe(1); // idle@ only
    expect(th.sweepSignInThrottle(later)).toBe(0);
    // recent@ still counts its failures: a sixth try from a new address waits
    expect(() => th.admitSignIn('c', 'recent@example.com', '198.51.100.9', later)).not.toThrow();
    expect(() => th.admitSignIn('c', 'recent@example.com', '198.51.100.9', later)).toThrow('Too Many Requests.');
    // the owner is still trusted from their address after the sweep
    for (let i = 0; i < SIGN_IN_FREE_TRIES + 3; i++) th.admitSignIn('c', 'owner@example.com', '198.51.100.2', later + i);
  });
});
