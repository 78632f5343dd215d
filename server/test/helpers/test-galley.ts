import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { dropTestDatabaseOf, testDatabaseFor } from './test-database.ts';
import { createTestLogger } from './test-logger.ts';

export { runScenario, type Scenario, type ScenarioTarget } from './scenario.ts';

export const REPO = join(import.meta.dirname, '..', '..', '..');

export function readExample(name: string): unknown {
  return JSON.parse(readFileSync(join(REPO, 'schema-examples', name), 'utf8'));
}

export interface TestGalley {
  galley: Galley;
  dir: string;
  /** the PostgreSQL URL it runs on (GALLEY_TEST_DATABASE=postgres); undefined: SQLite in `dir` */
  database?: string;
  /** send a request; `auth` is a token */
  call(method: string, path: string, opts?: CallOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

export interface CallOptions {
  body?: unknown;
  /** a token for the Authorization header */
  auth?: string | null;
  headers?: Record<string, string>;
  /** the socket's peer address the request appears to come from (rate limits, trusted proxies) */
  ip?: string;
}

/** Send one request through `galley.handle` (no socket); objects go as JSON, strings/bytes/FormData as they are. */
export async function callGalley(galley: Galley, method: string, path: string, opts: CallOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData || typeof opts.body === 'string' || opts.body instanceof Uint8Array) body = opts.body as BodyInit;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.auth) headers['authorization'] = opts.auth;
  const request = new Request('http://127.0.0.1:8090' + path, { method, headers, body });
  const res = await galley.handle(request, opts.ip === undefined ? undefined : { remoteAddress: opts.ip });
  const text = await res.text();
  let json: any;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** A Galley on a fresh temp data dir (and a fresh database under GALLEY_TEST_DATABASE=postgres), answering through `handle` (no socket). */
export async function startTestGalley(schema: unknown): Promise<TestGalley> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-test-'));
  const database = await testDatabaseFor(dir);
  const galley = await createGalley({ dir, database, schema, logger: createTestLogger() });
  return {
    galley,
    dir,
    database,
    call: (method, path, opts) => callGalley(galley, method, path, opts),
    async close() {
      await galley.close();
      await dropTestDatabaseOf(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Create a superuser in the dir and return a token for it. */
export async function superuserToken(t: TestGalley, email = 'root@example.com', password = 'rootpass123'): Promise<string> {
  await upsertSuperuser({ dir: t.dir, database: t.database }, email, password);
  const res = await t.call('POST', '/api/collections/_superusers/auth-with-password', { body: { identity: email, password } });
  if (res.status !== 200) throw new Error(`superuser auth failed: ${res.status} ${res.text}`);
  return res.json.token;
}

/** Sign up a user in an auth collection through the API and log in. */
export async function signUp(t: TestGalley, collection: string, data: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const password = 'password123';
  const created = await t.call('POST', `/api/collections/${collection}/records`, { body: { password, passwordConfirm: password, ...data } });
  if (created.status !== 200) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const auth = await t.call('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity: data['email'], password } });
  if (auth.status !== 200) throw new Error(`login failed: ${auth.status} ${auth.text}`);
  return { id: created.json.id, token: auth.json.token };
}
