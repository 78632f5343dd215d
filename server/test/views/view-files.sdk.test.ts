// Files of view collections through the official SDK: a view record's file field names the source record's
// file, and pb.files.getURL(viewRecord, name) serves it from the source record's folder (PocketBase's
// FindRecordByViewFile), through views over views and views whose id is not the source id; a protected
// file obeys the VIEW's viewRule with a file token, as in PocketBase (the source's rule does not count).
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, readImageDimensions } from '../files/harness.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const SCHEMA = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [] },
  {
    // only superusers may read docs themselves: what the view shows is the view's business
    name: 'docs', listRule: null, viewRule: null, createRule: null,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      { name: 'cover', type: 'file', maxSelect: 1, thumbs: ['20x20'] },
      { name: 'attachments', type: 'file', maxSelect: 5 },
      { name: 'secret', type: 'file', maxSelect: 1, protected: true },
    ],
  },
  { name: 'doc_files', type: 'view', listRule: '', viewRule: '@request.auth.id = owner', viewQuery: 'SELECT d.id, d.title, d.owner, d.cover, d.attachments, d.secret FROM docs d' },
  { name: 'doc_pictures', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT v.id, v.cover AS picture FROM doc_files v' },
  { name: 'owner_covers', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT d.owner AS id, d.cover FROM docs d WHERE d.owner != \'\'' },
];

let t: TestGalley;
let url = '';
let root: PocketBase;
const bytes = (s: string) => new TextEncoder().encode(s);
const users: Record<string, { pb: PocketBase; id: string }> = {};
let doc: Record<string, any>;
let image: Uint8Array<ArrayBuffer>;

async function fetchBytes(href: string): Promise<{ status: number; body: Uint8Array }> {
  const res = await fetch(href);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}

beforeAll(async () => {
  t = await startTestGalley(SCHEMA);
  ({ url } = await t.galley.listen('127.0.0.1:0'));
  root = new PocketBase(url);
  root.authStore.save(await superuserToken(t));
  for (const name of ['ann', 'bob']) {
    const pb = new PocketBase(url);
    await pb.collection('users').create({ email: `${name}@example.com`, password: 'password123', passwordConfirm: 'password123' });
    const auth = await pb.collection('users').authWithPassword(`${name}@example.com`, 'password123');
    users[name] = { pb, id: auth.record.id };
  }
  image = await makeImage(60, 40);
  doc = await root.collection('docs').create({
    title: 'report',
    owner: users['ann']!.id,
    cover: new File([image], 'cover.png', { type: 'image/png' }),
    attachments: [new File([bytes('first attachment')], 'a.txt', { type: 'text/plain' }), new File([bytes('second attachment')], 'b.txt', { type: 'text/plain' })],
    secret: new File([bytes('top secret')], 'secret.txt', { type: 'text/plain' }),
  });
  // a second doc, so a lookup by name must pick the right source record
  await root.collection('docs').create({ title: 'other', cover: new File([bytes('not this one')], 'cover.png', { type: 'text/plain' }) });
});
afterAll(() => t?.close());

describe('files of view collections', () => {
  it('a view record serialises its file fields and getURL serves the source file, thumbs included', async () => {
    const rec = await users['ann']!.pb.collection('doc_files').getOne(doc['id']);
    expect(rec).toMatchObject({ collectionName: 'doc_files', cover: doc['cover'], attachments: doc['attachments'], secret: doc['secret'] });
    const href = users['ann']!.pb.files.getURL(rec, rec['cover']);
    expect(href).toContain(`/api/files/${rec.collectionId}/${rec.id}/${rec['cover']}`);
    const cover = await fetchBytes(href);
    expect(cover.status).toBe(200);
    expect(Buffer.compare(cover.body, image)).toBe(0);
    const thumb = await fetchBytes(users['ann']!.pb.files.getURL(rec, rec['cover'], { thumb: '20x20' }));
    expect(thumb.status).toBe(200);
    expect(await readImageDimensions(thumb.body)).toEqual({ width: 20, height: 20 });
    const second = await fetchBytes(users['ann']!.pb.files.getURL(rec, rec['attachments'][1]));
    expect(new TextDecoder().decode(second.body)).toBe('second attachment');
  });

  it('follows a view over a view (a renamed column) and a view whose id is not the source id', async () => {
    const guest = new PocketBase(url);
    const picture = await guest.collection('doc_pictures').getOne(doc['id']);
    expect(picture['picture']).toBe(doc['cover']);
    expect(Buffer.compare((await fetchBytes(guest.files.getURL(picture, picture['picture']))).body, image)).toBe(0);
    const byOwner = await guest.collection('owner_covers').getOne(users['ann']!.id);
    expect(byOwner['cover']).toBe(doc['cover']);
    const res = await fetchBytes(guest.files.getURL(byOwner, byOwner['cover']));
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, image)).toBe(0);
  });

  it('a protected file is served by the view’s rule with a file token, not by the source’s', async () => {
    const ann = users['ann']!.pb;
    const rec = await ann.collection('doc_files').getOne(doc['id']);
    const annToken = await ann.files.getToken();
    const ok = await fetchBytes(ann.files.getURL(rec, rec['secret'], { token: annToken }));
    expect(ok.status).toBe(200);
    expect(new TextDecoder().decode(ok.body)).toBe('top secret');
    // docs' own viewRule is null: through the source collection the same token is refused
    expect((await fetch(ann.files.getURL(doc as any, doc['secret'], { token: annToken }))).status).toBe(404);
    expect((await fetch(ann.files.getURL(rec, rec['secret']))).status).toBe(404);
    const bobToken = await users['bob']!.pb.files.getToken();
    expect((await fetch(ann.files.getURL(rec, rec['secret'], { token: bobToken }))).status).toBe(404);
    expect((await fetch(root.files.getURL(rec, rec['secret'], { token: await root.files.getToken() }))).status).toBe(200);
  });

  it('a name the view record does not hold, or an unknown view record, is a 404', async () => {
    const list = await new PocketBase(url).collection('doc_files').getFullList({ sort: 'title' });
    const [other, report] = list;
    expect(other!['title']).toBe('other');
    expect((await fetch(`${url}/api/files/doc_files/${other!.id}/${report!['attachments'][0]}`)).status).toBe(404);
    expect((await fetch(`${url}/api/files/doc_files/nope/${report!['cover']}`)).status).toBe(404);
    expect((await fetch(`${url}/api/files/doc_files/${report!.id}/title`)).status).toBe(404);
  });
});
