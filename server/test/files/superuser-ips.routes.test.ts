// settings.superuserIPs and protected files: a superuser's file token used from an address outside the list
// counts for nothing (wire: PocketBase's file download resets such an auth record; the view rule then decides
// as for a guest, so a superusers-only file is the usual 404). Other records' file tokens are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, signUp, superuserToken, type Scenario } from '../helpers/test-galley.ts';
import { startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

const INSIDE = '10.9.0.1';
const OUTSIDE = '10.9.0.2';

let t: FilesGalley;
let root = '';
let rootFileToken = '';
let aliceFileToken = '';
let vaultId = '';
let docId = '';

async function fileTokenFor(authToken: string): Promise<string> {
  const res = await t.call('POST', '/api/files/token', { auth: authToken, ip: INSIDE });
  expect(res.status, res.text).toBe(200);
  return res.json.token;
}

beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  root = await superuserToken(t);
  const alice = await signUp(t, 'users', { email: 'alice@example.com' });
  vaultId = (await t.call('POST', '/api/collections/vault/records', { body: { title: 'keys' }, auth: root })).json.id;
  await t.addFile('vault', vaultId, 'locked', 'keys.txt', 'the keys');
  await t.addFile('vault', vaultId, 'open', 'notice.txt', 'a notice');
  docId = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'plans', owner: alice.id } })).json.id;
  await t.addFile('docs', docId, 'secret', 'plans.txt', 'the plans');
  rootFileToken = await fileTokenFor(root);
  aliceFileToken = await fileTokenFor(alice.token);
  const set = await t.call('PATCH', '/api/settings', { body: { superuserIPs: [INSIDE] }, auth: root, ip: INSIDE });
  expect(set.status, set.text).toBe(200);
}, 60_000);
afterAll(() => t?.close());

const download = (path: string, token: string, ip?: string) => t.call('GET', `${path}?token=${encodeURIComponent(token)}`, { ip });

describe('a superuser file token and superuserIPs', () => {
  const NOT_FOUND = { data: {}, message: "The requested resource wasn't found.", status: 404 };
  /** a file fetched with a file token; `body` is the exact answer */
  const row = (name: string, path: string, token: string, ip: string | undefined, status: number, body?: string): Scenario => ({
    name,
    method: 'GET',
    path: `${path}?token=${encodeURIComponent(token)}`,
    ip,
    status,
    check: (json, res) => {
      if (body !== undefined) expect(res.text, name).toBe(body);
      if (status === 404) expect(json, name).toEqual(NOT_FOUND);
    },
  });
  const rows = (): Scenario[] => [
    row('superuser token, listed address, superusers-only file', `/api/files/vault/${vaultId}/keys.txt`, rootFileToken, INSIDE, 200, 'the keys'),
    row('superuser token, other address', `/api/files/vault/${vaultId}/keys.txt`, rootFileToken, OUTSIDE, 404),
    row('superuser token, unknown address', `/api/files/vault/${vaultId}/keys.txt`, rootFileToken, undefined, 404),
    row('superuser token, other address, a public file (no token needed)', `/api/files/vault/${vaultId}/notice.txt`, rootFileToken, OUTSIDE, 200, 'a notice'),
    row('a user’s token from any address', `/api/files/docs/${docId}/plans.txt`, aliceFileToken, OUTSIDE, 200, 'the plans'),
  ];

  it('every row answers as expected', async () => {
    for (const r of rows()) await runScenario(t, r);
  });

  it('with the list emptied the same token works from anywhere again', async () => {
    const cleared = await t.call('PATCH', '/api/settings', { body: { superuserIPs: [] }, auth: root, ip: INSIDE });
    expect(cleared.status, cleared.text).toBe(200);
    expect((await download(`/api/files/vault/${vaultId}/keys.txt`, rootFileToken, OUTSIDE)).status).toBe(200);
  });
});
