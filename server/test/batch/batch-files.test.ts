// A multipart batch with files: JSON under @jsonPayload, files under `requests.N.field` / `requests[N].field`
// (what the SDK sends); the uploads of a batch that fails are removed with it.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG, startFilesGalley, storedName, type FilesGalley } from '../files-upload/harness.ts';

let t: FilesGalley;

beforeAll(async () => {
  t = await startFilesGalley();
}, 30_000);
afterAll(() => t?.close());

const text = (s: string) => new Uint8Array(new TextEncoder().encode(s));

function batchForm(requests: unknown[], files: Array<[string, Uint8Array, string]>): FormData {
  const form = new FormData();
  form.append('@jsonPayload', JSON.stringify({ requests }));
  for (const [key, data, name] of files) form.append(key, new File([data as BlobPart], name));
  return form;
}

describe('multipart batch with files', () => {
  it('stores each sub-request its own files (dotted and bracketed keys, append with field+)', async () => {
    const docs = '/api/collections/docs/records';
    const first = await t.call('POST', docs, { body: { title: 'existing' } });
    const form = batchForm(
      [
        { method: 'POST', url: docs, body: { title: 'one' } },
        { method: 'POST', url: docs, body: { title: 'two' } },
        { method: 'PATCH', url: `${docs}/${first.json.id}`, body: { title: 'existing+' } },
      ],
      [
        ['requests.0.attachments', text('a1'), 'a 1.txt'],
        ['requests.0.attachments', text('a2'), 'a2.txt'],
        ['requests[1].cover', PNG, 'cover.png'],
        ['requests.2.attachments+', text('a3'), 'a3.txt'],
      ],
    );
    const res = await t.call('POST', '/api/batch', { body: form });
    expect(res.status).toBe(200);
    const [one, two, patched] = res.json.map((r: { body: Record<string, any> }) => r.body);
    expect(one.attachments).toHaveLength(2);
    expect(one.attachments[0]).toMatch(storedName('a_1', '.txt'));
    expect(two.cover).toMatch(storedName('cover', '.png'));
    expect(patched.attachments).toHaveLength(1);
    expect(await t.read(`${t.docsId}/${one.id}/${one.attachments[1]}`)).toEqual(text('a2'));
    expect(await t.keys()).toEqual(
      [
        `${t.docsId}/${one.id}/${one.attachments[0]}`,
        `${t.docsId}/${one.id}/${one.attachments[1]}`,
        `${t.docsId}/${two.id}/${two.cover}`,
        `${t.docsId}/${first.json.id}/${patched.attachments[0]}`,
      ].sort(),
    );
  });

  it('a batch that fails after an upload leaves no file and no row behind', async () => {
    const before = await t.keys();
    const form = batchForm(
      [
        { method: 'POST', url: '/api/collections/docs/records', body: { title: 'uploaded then undone' } },
        { method: 'POST', url: '/api/collections/docs/records', body: { title: 'deny' } },
      ],
      [['requests.0.attachments', text('gone'), 'gone.txt']],
    );
    const res = await t.call('POST', '/api/batch', { body: form });
    expect(res.status).toBe(400);
    expect(res.json.data.requests['1'].response).toEqual({ data: {}, message: 'Failed to create record.', status: 400 });
    expect(await t.keys()).toEqual(before);
    const listed = await t.call('GET', `/api/collections/docs/records?filter=${encodeURIComponent("title = 'uploaded then undone'")}`);
    expect(listed.json.totalItems).toBe(0);
  });

  it("a file over its field's maxSize fails the batch with the field's issue", async () => {
    const before = await t.keys();
    const form = batchForm([{ method: 'POST', url: '/api/collections/docs/records', body: { title: 'big' } }], [['requests.0.attachments', new Uint8Array(5000), 'big.bin']]);
    const res = await t.call('POST', '/api/batch', { body: form });
    expect(res.status).toBe(400);
    expect(res.json.data.requests['0'].response.data.attachments.code).toBe('validation_file_size_limit');
    expect(await t.keys()).toEqual(before);
  });

  it('the SDK sends files in a batch as it does for one record', async () => {
    const pb = new PocketBase(t.url);
    const batch = pb.createBatch();
    batch.collection('docs').create({ title: 'sdk', attachments: [new File([text('s1') as BlobPart], 's1.txt'), new File([text('s2') as BlobPart], 's2.txt')] });
    batch.collection('docs').upsert({ id: 'sdkdoc000000001', title: 'sdk upsert', cover: new File([PNG as BlobPart], 'sdkcover.png') });
    const [created, upserted] = await batch.send();
    expect(created!.body.attachments).toHaveLength(2);
    expect(upserted!.body.cover).toMatch(storedName('sdkcover', '.png'));
    expect(await t.read(`${t.docsId}/sdkdoc000000001/${upserted!.body.cover}`)).toEqual(PNG);
  });
});
