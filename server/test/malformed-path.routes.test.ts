// Percent-escapes in a path that do not decode are bad input, not faults: `%ff` (not UTF-8) names nothing, so
// every route with a path parameter gives its own PocketBase answer (404 missing collection/record, 401/403 for
// a guest where the caller is checked first); a malformed escape (`%zz`, a lone `%`) is a 400. Either way in
// PocketBase's error shape, and the log gets at most one debug line for the request: no warning, no error, no stack.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../src/index.ts';
import { createTestLogger } from './helpers/test-logger.ts';
import { callGalley } from './helpers/test-galley.ts';

const SCHEMA = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', fields: [] },
  { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null, fields: [{ name: 'f', type: 'file' }] },
];

let galley: Galley;
let dir = '';
let root = '';
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galley-escapes-'));
  galley = await createGalley({ dir, schema: SCHEMA, logger: createTestLogger('debug', (l) => lines.push(l)) });
  await upsertSuperuser({ dir }, 'root@example.com', 'rootpass123');
  const auth = await callGalley(galley, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
  root = auth.json.token;
});
afterAll(async () => {
  await galley?.close();
  rmSync(dir, { recursive: true, force: true });
});

const MISSING = 'Missing collection context.';
const MISSING_AUTH = 'Missing or invalid auth collection context.';
const NOT_FOUND = "The requested resource wasn't found.";
const BAD = 'Something went wrong while processing your request.';

// [method, path, caller, status, message]
const table: Array<[string, string, 'guest' | 'root', number, string]> = [
  ['GET', '/api/collections/%ff/records', 'guest', 404, MISSING],
  ['POST', '/api/collections/%ff/records', 'guest', 404, MISSING],
  ['GET', '/api/collections/posts/records/%ff', 'guest', 404, NOT_FOUND],
  ['PATCH', '/api/collections/posts/records/%ff', 'guest', 404, NOT_FOUND],
  ['DELETE', '/api/collections/posts/records/%ff', 'root', 404, NOT_FOUND],
  ['GET', '/api/collections/%ff', 'guest', 401, 'The request requires valid record authorization token.'],
  ['GET', '/api/collections/%ff', 'root', 404, NOT_FOUND],
  ['DELETE', '/api/collections/%ff/truncate', 'root', 404, NOT_FOUND],
  ['GET', '/api/files/%ff/x/y', 'guest', 404, NOT_FOUND],
  ['GET', '/api/files/posts/%ff/y', 'guest', 404, NOT_FOUND],
  ['GET', '/api/files/posts/x/%ff', 'guest', 404, NOT_FOUND],
  ['POST', '/api/collections/%ff/auth-with-password', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/auth-refresh', 'guest', 401, 'The request requires valid record authorization token.'], // PocketBase asks for auth first
  ['GET', '/api/collections/%ff/auth-methods', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/request-otp', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/auth-with-otp', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/auth-with-oauth2', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/request-password-reset', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/confirm-verification', 'guest', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/auth-logout-all', 'root', 404, MISSING_AUTH],
  ['POST', '/api/collections/%ff/impersonate/x', 'root', 404, MISSING_AUTH],
  ['POST', '/api/collections/users/impersonate/%ff', 'root', 404, NOT_FOUND],
  ['GET', '/api/realtime/%ff', 'guest', 404, NOT_FOUND],
  ['GET', '/api/collections/%e0%a4/records', 'guest', 404, MISSING],
  ['GET', '/api/collections/%zz/records', 'guest', 400, BAD],
  ['GET', '/api/collections/%/records', 'guest', 400, BAD],
  ['GET', '/api/collections/posts/records/%e0%a4%a', 'guest', 400, BAD],
  ['GET', '/api/files/posts/x/%g1', 'guest', 400, BAD],
];

describe('undecodable percent-escapes in paths', () => {
  it.each(table)('%s %s as %s → %i', async (method, path, caller, status, message) => {
    lines.length = 0;
    const res = await callGalley(galley, method, path, { auth: caller === 'root' ? root : null, body: method === 'GET' || method === 'DELETE' ? undefined : {}, ip: '127.0.0.1' });
    expect(res.status, res.text).toBe(status);
    expect(res.json).toEqual({ data: {}, message, status });
    expect(lines.filter((l) => !/ DEBUG /.test(l)), lines.join('\n')).toEqual([]);
    expect(lines.filter((l) => /percent-escape/.test(l)).length).toBeLessThanOrEqual(1);
    expect(lines.join('\n')).not.toMatch(/\bat .*:\d+|TypeError|URIError/);
  });

  it('a well-formed escape still reaches its route (a record id with a space is looked up as such)', async () => {
    const res = await callGalley(galley, 'GET', '/api/collections/posts/records/a%20b');
    expect(res.status).toBe(404);
    const ok = await callGalley(galley, 'GET', '/api/collections/po%73ts/records');
    expect(ok.status).toBe(200);
  });
});
