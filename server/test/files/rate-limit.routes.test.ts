// wire: PocketBase tags file downloads `file`, so a `<collection>:file` or `*:file` rule limits them per client IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken } from '../helpers/test-galley.ts';
import { startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

let t: FilesGalley;
let id: string;
beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  id = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'limited' } })).json.id;
  await t.addFile('docs', id, 'files', 'a.txt', 'a');
});
afterAll(() => t.close());

const download = (ip: string, collection = 'docs') =>
  t.galley.handle(new Request(`http://127.0.0.1:8090/api/files/${collection}/${id}/a.txt`), { remoteAddress: ip });

describe('rate limits on downloads', () => {
  it.each(['docs:file', '*:file'])('counts downloads under %s per client IP', async (label) => {
    const root = await superuserToken(t);
    const rules = [{ label, audience: '', duration: 60, maxRequests: 2 }];
    expect((await t.call('PATCH', '/api/settings', { auth: root, body: { rateLimits: { enabled: true, rules } } })).status).toBe(200);
    const ip = label === '*:file' ? '10.0.0.2' : '10.0.0.1';
    expect((await download(ip)).status).toBe(200);
    expect((await download(ip)).status).toBe(200);
    const limited = await download(ip);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ status: 429, message: 'Too Many Requests.' });
    expect((await download('10.0.0.9')).status).toBe(200);
  });

  it('reads a broken collection segment as no tag rather than failing', async () => {
    const res = await t.galley.handle(new Request(`http://127.0.0.1:8090/api/files/%E0%A4/${id}/a.txt`), { remoteAddress: '10.0.0.3' });
    expect(res.status).toBe(404);
  });
});
