// settings.superuserIPs and protected files: a superuser's file token used from an address outside the list
// counts for nothing (wire: PocketBase's file download resets such an auth record; the view rule then decides
// as for a guest, so a superusers-only file is the usual 404). Other records' file tokens are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, superuserToken } from '../helpers/test-galley.ts';
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
  const rows = (): Array<{ name: string; path: string; token: string; ip?: string; status: number; body?: string }> => [
    { name: 'superuser token, listed address, superusers-only file', path: `/api/files/vault/${vaultId}/keys.txt`, token: rootFileToken, ip: INSIDE, status: 200, body: 'the keys' },
    { name: 'superuser token, other address', path: `/api/files/vault/${vaultId}/keys.txt`, token: rootFileToken, ip: OUTSIDE, status: 404 },
    { name: 'superuser token, unknown address', path: `/api/files/vault/${vaultId}/keys.txt`, token: rootFileToken, status: 404 },
    { name: 'superuser token, other address, a public file (no token needed)', path: `/api/files/vault/${vaultId}/notice.txt`, token: rootFileToken, ip: OUTSIDE, status: 200, body: 'a notice' },
    { name: 'a user’s token from any address', path: `/api/files/docs/${docId}/plans.txt`, token: aliceFileToken, ip: OUTSIDE, status: 200, body: 'the plans' },
  ];

  it('every row answers as expected', async () => {
    for (const r of rows()) {
      const res = await download(r.path, r.token, r.ip);
      expect(res.status, `${r.name}: ${res.text}`).toBe(r.status);
      if (r.body !== undefined) expect(res.text, r.name).toBe(r.body);
      if (r.status === 404) expect(res.json, r.name).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });
    }
  });

  it('with the list emptied the same token works from anywhere again', async () => {
    const cleared = await t.call('PATCH', '/api/settings', { body: { superuserIPs: [] }, auth: root, ip: INSIDE });
    expect(cleared.status, cleared.text).toBe(200);
    expect((await download(`/api/files/vault/${vaultId}/keys.txt`, rootFileToken, OUTSIDE)).status).toBe(200);
  });
});
