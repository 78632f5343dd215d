// Issue 5's proof through the compiled binary with the official `pocketbase` SDK, unchanged: uploads (single,
// multiple, append, remove, clear, replace), a thumbnail of a PNG made here, a protected file with file tokens,
// two users subscribed to `*` and to single records seeing only their own events, and batches that commit or
// roll back as one.
import { EventSource } from 'eventsource';
import { Jimp } from 'jimp';
import PocketBase, { type RecordModel, type RecordSubscription } from 'pocketbase';
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';
import { expectError } from './helpers/sdk-errors.ts';

const own = 'owner = @request.auth.id';
const schema = [
  selfServiceUsers(),
  {
    name: 'docs',
    type: 'base',
    listRule: own,
    viewRule: own,
    createRule: own,
    updateRule: own,
    deleteRule: own,
    fields: [
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
      { name: 'title', type: 'text' },
      { name: 'attachments', type: 'file', maxSelect: 3 },
      { name: 'cover', type: 'file', maxSelect: 1, thumbs: ['50x50'] },
      { name: 'secret', type: 'file', maxSelect: 1, protected: true },
    ],
  },
  {
    // everyone signed in may write; each reader sees their own notes and the public ones
    name: 'notes',
    type: 'base',
    listRule: `${own} || public = true`,
    viewRule: `${own} || public = true`,
    createRule: '@request.auth.id != ""',
    updateRule: '@request.auth.id != ""',
    deleteRule: '@request.auth.id != ""',
    fields: [
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      { name: 'title', type: 'text' },
      { name: 'public', type: 'bool' },
    ],
  },
  {
    name: 'tasks',
    type: 'base',
    listRule: own,
    viewRule: own,
    createRule: own,
    updateRule: own,
    deleteRule: own,
    fields: [
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1, required: true },
      { name: 'title', type: 'text' },
      { name: 'done', type: 'bool' },
      { name: 'file', type: 'file', maxSelect: 1 },
    ],
  },
];

interface User {
  pb: PocketBase;
  id: string;
}

let server: RunningBinary;
let alice: User;
let bob: User;
let carol: User;
const globals = globalThis as { EventSource?: unknown };
const hadEventSource = 'EventSource' in globalThis;
const previousEventSource = globals.EventSource;

async function signUp(email: string): Promise<User> {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  const created = await pb.collection('users').create({ email, name: email, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return { pb, id: created.id };
}

beforeAll(async () => {
  globals.EventSource = EventSource;
  server = await startBinary({ schema });
  alice = await signUp('proof-alice@example.com');
  bob = await signUp('proof-bob@example.com');
  carol = await signUp('proof-carol@example.com');
}, 60_000);

afterAll(async () => {
  for (const user of [alice, bob, carol]) user?.pb.realtime.unsubscribe().catch(() => {});
  if (hadEventSource) globals.EventSource = previousEventSource;
  else delete globals.EventSource;
  await server?.stop();
});

/** Bytes that cannot be mistaken for another file's (and are not valid UTF-8 text). */
function makeBytes(seed: number, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(length));
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7 + (i >> 8)) & 0xff;
  return out;
}

async function download(url: string): Promise<{ status: number; bytes: Uint8Array; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

async function expectBytes(url: string, expected: Uint8Array): Promise<void> {
  const got = await download(url);
  expect(got.status, url).toBe(200);
  expect(Buffer.from(got.bytes).equals(Buffer.from(expected)), `bytes of ${url}`).toBe(true);
}

async function expectGone(url: string): Promise<void> {
  expect((await fetch(url)).status, url).toBe(404);
}

/** Every file under the data dir's storage for one collection (thumbnails included). */
function storedFiles(collectionId: string): string[] {
  const out: string[] = [];
  // folders may vanish mid-walk while the server prunes them: a missing one holds nothing
  const walk = (rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(server.dir, 'storage', collectionId, rel), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The stored files once they equal `expected`, or as they are after 15 s: files a write lets go are removed
 * just after its commit, not before the answer (records/record-files.ts), so this waits for them.
 */
async function settledFiles(collectionId: string, expected: string[], keep: (f: string) => boolean = () => true): Promise<string[]> {
  const want = JSON.stringify(expected);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = storedFiles(collectionId).filter(keep);
    if (JSON.stringify(now) === want || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('issue 5 proof: files', () => {
  it('uploads single and multiple files, appends, removes one, clears, replaces; downloads return the exact bytes', async () => {
    const docs = alice.pb.collection('docs');
    const [a, b, c, d] = [makeBytes(1, 3000), makeBytes(2, 10), makeBytes(3, 70_000), makeBytes(4, 512)];
    const created = await docs.create({
      owner: alice.id,
      title: 'Doc',
      attachments: [new File([a], 'First File.bin'), new Blob([b], { type: 'application/octet-stream' })],
    });
    const [nameA, nameB] = created['attachments'] as string[];
    expect(created['attachments']).toHaveLength(2);
    // wire: sanitised (snake case) base, `_` + 10 random [a-z0-9], the extension kept
    expect(nameA).toMatch(/^first_file_[a-z0-9]{10}\.bin$/);
    expect(nameB).not.toBe(nameA);
    await expectBytes(alice.pb.files.getURL(created, nameA!), a);
    await expectBytes(alice.pb.files.getURL(created, nameB!), b);

    // a single-file field holds one name as a string
    const single = await docs.update(created.id, { secret: new File([d], 'notes.txt', { type: 'text/plain' }) });
    expect(single['secret']).toMatch(/^notes_[a-z0-9]{10}\.txt$/);
    expect(single['attachments']).toEqual([nameA, nameB]);

    const appended = await docs.update(created.id, { 'attachments+': new File([c], 'third.dat') });
    const names = appended['attachments'] as string[];
    expect(names.slice(0, 2)).toEqual([nameA, nameB]);
    expect(names[2]).toMatch(/^third_[a-z0-9]{10}\.dat$/);
    const nameC = names[2]!;
    await expectBytes(alice.pb.files.getURL(appended, nameC), c);

    // more than maxSelect (3) is refused and changes nothing
    const over = await expectError(docs.update(created.id, { 'attachments+': new File([d], 'fourth.dat') }), 400);
    expect(over.response.data['attachments']?.code).toBeTruthy();
    expect((await docs.getOne(created.id))['attachments']).toEqual([nameA, nameB, nameC]);

    const removed = await docs.update(created.id, { 'attachments-': [nameB] });
    expect(removed['attachments']).toEqual([nameA, nameC]);
    await expectGone(alice.pb.files.getURL(created, nameB!));
    await expectBytes(alice.pb.files.getURL(created, nameA!), a);
    await expectBytes(alice.pb.files.getURL(created, nameC), c);

    // replacing a multi-file field's whole value drops the files not kept
    const replaced = await docs.update(created.id, { attachments: [new File([d], 'only.dat')] });
    const [nameD] = replaced['attachments'] as string[];
    expect(replaced['attachments']).toHaveLength(1);
    await expectBytes(alice.pb.files.getURL(replaced, nameD!), d);
    await expectGone(alice.pb.files.getURL(created, nameA!));
    await expectGone(alice.pb.files.getURL(created, nameC));

    const cleared = await docs.update(created.id, { attachments: [], secret: null });
    expect(cleared['attachments']).toEqual([]);
    expect(cleared['secret']).toBe('');
    await expectGone(alice.pb.files.getURL(created, nameD!));
    expect(await settledFiles(created.collectionId, [])).toEqual([]);

    // a deleted record takes its files with it
    const again = await docs.update(created.id, { attachments: [new File([a], 'last.bin')] });
    const last = [`${created.id}/${(again['attachments'] as string[])[0]}`];
    expect(await settledFiles(created.collectionId, last)).toEqual(last);
    await docs.delete(created.id);
    expect(await settledFiles(created.collectionId, [])).toEqual([]);
  });

  it('makes a 50x50 thumbnail of a PNG; an unlisted size serves the original', async () => {
    const png = new Uint8Array(await new Jimp({ width: 160, height: 90, color: 0x33aa66ff }).getBuffer('image/png'));
    const doc = await alice.pb.collection('docs').create({ owner: alice.id, cover: new File([png], 'Cover Image.png', { type: 'image/png' }) });
    const cover = doc['cover'] as string;
    expect(cover).toMatch(/^cover_image_[a-z0-9]{10}\.png$/);
    await expectBytes(alice.pb.files.getURL(doc, cover), png);

    const thumb = await download(alice.pb.files.getURL(doc, cover, { thumb: '50x50' }));
    expect(thumb.status).toBe(200);
    expect(thumb.type).toBe('image/png');
    const image = await Jimp.fromBuffer(Buffer.from(thumb.bytes));
    expect([image.width, image.height]).toEqual([50, 50]);
    // asked again: the cached thumbnail, same bytes
    const cached = await download(alice.pb.files.getURL(doc, cover, { thumb: '50x50' }));
    expect(Buffer.from(cached.bytes).equals(Buffer.from(thumb.bytes))).toBe(true);

    // wire: a size the field does not list falls back to the original, no error
    await expectBytes(alice.pb.files.getURL(doc, cover, { thumb: '30x30' }), png);

    // replacing the image: the old name (and its thumbnail) answer 404
    const next = await alice.pb.collection('docs').update(doc.id, { cover: new File([png], 'next.png', { type: 'image/png' }) });
    expect(next['cover']).not.toBe(cover);
    await expectGone(alice.pb.files.getURL(doc, cover));
    await expectGone(alice.pb.files.getURL(doc, cover, { thumb: '50x50' }));
    // the old image's thumbnail goes with it
    const left = [`${doc.id}/${next['cover']}`];
    expect(await settledFiles(doc.collectionId, left, (f) => f.startsWith(`${doc.id}/`))).toEqual(left);
  });

  it('a protected file: 404 without a token, 200 with the owner’s file token, 404 with another user’s', async () => {
    const secretBytes = makeBytes(9, 4096);
    const doc = await alice.pb.collection('docs').create({ owner: alice.id, secret: new File([secretBytes], 'diary.bin') });
    const name = doc['secret'] as string;
    await expectGone(alice.pb.files.getURL(doc, name));
    // the Authorization header does not open a protected file: only ?token= does
    expect((await fetch(alice.pb.files.getURL(doc, name), { headers: { Authorization: alice.pb.authStore.token } })).status).toBe(404);
    await expectBytes(alice.pb.files.getURL(doc, name, { token: await alice.pb.files.getToken() }), secretBytes);
    await expectGone(alice.pb.files.getURL(doc, name, { token: await bob.pb.files.getToken() }));
    // an auth token is not a file token
    await expectGone(alice.pb.files.getURL(doc, name, { token: alice.pb.authStore.token }));
    // a guest gets no file token
    await expectError(new PocketBase(server.url).files.getToken(), 401);
  });
});

type Line = string;

/** Collects one subscription's events as "action title" lines. */
function collector() {
  const got: Line[] = [];
  let wake: Array<() => void> = [];
  return {
    got,
    push(e: RecordSubscription) {
      got.push(`${e.action} ${String(e.record['title'])}`);
      wake.splice(0).forEach((f) => f());
    },
    /** resolves once `line` has arrived; rejects after `ms` with what did */
    async until(line: Line, ms: number) {
      const deadline = Date.now() + ms;
      while (!got.includes(line)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`"${line}" not received within ${ms} ms; got ${JSON.stringify(got)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

describe('issue 5 proof: realtime', () => {
  it('two users subscribed to * and to single records each receive exactly their own events', async () => {
    const writer = carol.pb.collection('notes');
    const a1 = await writer.create({ owner: alice.id, title: 'A1' });
    const b1 = await writer.create({ owner: bob.id, title: 'B1' });

    const subs = {
      aliceAll: collector(),
      aliceA1: collector(),
      aliceB1: collector(),
      bobAll: collector(),
      bobA1: collector(),
      bobB1: collector(),
    };
    await alice.pb.collection('notes').subscribe('*', (e) => subs.aliceAll.push(e));
    await alice.pb.collection('notes').subscribe(a1.id, (e) => subs.aliceA1.push(e));
    await alice.pb.collection('notes').subscribe(b1.id, (e) => subs.aliceB1.push(e));
    await bob.pb.collection('notes').subscribe('*', (e) => subs.bobAll.push(e));
    await bob.pb.collection('notes').subscribe(a1.id, (e) => subs.bobA1.push(e));
    await bob.pb.collection('notes').subscribe(b1.id, (e) => subs.bobB1.push(e));

    // a third client writes; each step awaited, so the commit order is this order
    const a2 = await writer.create({ owner: alice.id, title: 'A2' });
    const b2 = await writer.create({ owner: bob.id, title: 'B2' });
    await writer.update(a1.id, { title: 'A1 v2' });
    await writer.update(b1.id, { title: 'B1 v2' });
    await writer.update(a2.id, { title: 'A2 v2' });
    await writer.delete(a2.id);
    await writer.delete(b1.id);
    // bob's note turns public: from now on alice may see it too
    await writer.update(b2.id, { title: 'B2 public', public: true });
    await writer.update(a1.id, { title: 'A1 v3' });
    await writer.create({ owner: carol.id, title: 'sentinel', public: true });

    // every client's events arrive in commit order on its one stream: the sentinel closes each stream's set
    await subs.aliceAll.until('create sentinel', 30_000);
    await subs.bobAll.until('create sentinel', 30_000);
    // a moment more for anything (wrongly) delivered late
    await new Promise((r) => setTimeout(r, 300));

    expect(subs.aliceAll.got).toEqual(['create A2', 'update A1 v2', 'update A2 v2', 'delete A2 v2', 'update B2 public', 'update A1 v3', 'create sentinel']);
    expect(subs.aliceA1.got).toEqual(['update A1 v2', 'update A1 v3']);
    expect(subs.aliceB1.got).toEqual([]);
    expect(subs.bobAll.got).toEqual(['create B2', 'update B1 v2', 'delete B1 v2', 'update B2 public', 'create sentinel']);
    expect(subs.bobA1.got).toEqual([]);
    expect(subs.bobB1.got).toEqual(['update B1 v2', 'delete B1 v2']);

    await alice.pb.realtime.unsubscribe();
    await bob.pb.realtime.unsubscribe();
  });
});

describe('issue 5 proof: batch', () => {
  it('a batch of mixed creates, updates, deletes and an upsert across collections commits as one', async () => {
    const tasks = alice.pb.collection('tasks');
    const keep = await tasks.create({ owner: alice.id, title: 'keep' });
    const drop = await tasks.create({ owner: alice.id, title: 'drop' });
    const fileBytes = makeBytes(7, 2048);

    const batch = alice.pb.createBatch();
    batch.collection('tasks').create({ owner: alice.id, title: 'new', file: new File([fileBytes], 'plan.bin') });
    batch.collection('tasks').update(keep.id, { done: true, title: 'kept' });
    batch.collection('tasks').delete(drop.id);
    batch.collection('tasks').upsert({ id: 'upsertedtask01a', owner: alice.id, title: 'upserted' });
    batch.collection('docs').create({ owner: alice.id, title: 'from batch' });
    const answers = await batch.send();

    expect(answers.map((a) => a.status)).toEqual([200, 200, 204, 200, 200]);
    expect(answers[2]!.body).toBeNull();
    const createdTask = answers[0]!.body as RecordModel;
    expect(createdTask['file']).toMatch(/^plan_[a-z0-9]{10}\.bin$/);
    await expectBytes(alice.pb.files.getURL(createdTask, createdTask['file']), fileBytes);
    expect((answers[1]!.body as RecordModel)['done']).toBe(true);
    expect((answers[3]!.body as RecordModel).id).toBe('upsertedtask01a');

    const rows = await tasks.getFullList({ sort: 'title' });
    expect(rows.map((r) => [r.title, r['done']])).toEqual([
      ['kept', true],
      ['new', false],
      ['upserted', false],
    ]);
    await expectError(tasks.getOne(drop.id), 404);
    expect((await alice.pb.collection('docs').getFirstListItem('title = "from batch"')).id).toBe((answers[4]!.body as RecordModel).id);
  });

  it('a batch whose middle request fails its rule rolls back everything and names that request', async () => {
    const tasks = alice.pb.collection('tasks');
    const before = await tasks.getFullList({ sort: 'id' });
    const target = before.find((r) => r.title === 'kept')!;
    const collectionId = target.collectionId;
    const filesBefore = storedFiles(collectionId);

    const batch = alice.pb.createBatch();
    batch.collection('tasks').create({ owner: alice.id, title: 'ghost', file: new File([makeBytes(8, 100)], 'ghost.bin') });
    batch.collection('tasks').update(target.id, { title: 'changed' });
    // alice may not create a task owned by bob: the createRule fails
    batch.collection('tasks').create({ owner: bob.id, title: 'not mine' });
    batch.collection('tasks').delete(target.id);
    const err = await expectError(batch.send(), 400);

    expect(err.response.message).toBe('Batch transaction failed.');
    const failed = err.response.data['requests'] as Record<string, { code: string; response: { status: number } }>;
    expect(Object.keys(failed)).toEqual(['2']);
    expect(failed['2']!.code).toBe('batch_request_failed');
    expect(failed['2']!.response.status).toBe(400);

    // nothing written: the rows as they were, no upload left behind
    expect(await tasks.getFullList({ sort: 'id' })).toEqual(before);
    expect(await settledFiles(collectionId, filesBefore)).toEqual(filesBefore);
    expect((await bob.pb.collection('tasks').getFullList()).length).toBe(0);
  });
});
