// The official pocketbase SDK's createBatch(), unchanged, over Galley's own listener (it always sends multipart
// with one @jsonPayload part): a mixed batch that commits, and one that rolls back as a whole.
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken } from '../helpers/test-galley.ts';
import { startBatchGalley, type BatchGalley } from './harness.ts';

let t: BatchGalley;
let url = '';

beforeAll(async () => {
  t = await startBatchGalley();
  await superuserToken(t);
  ({ url } = await t.galley.listen('127.0.0.1:0'));
}, 30_000);
afterAll(() => t?.close());

describe('pocketbase SDK createBatch()', () => {
  it('creates, updates, upserts and deletes across collections in one send()', async () => {
    const pb = new PocketBase(url);
    const seeded = await pb.collection('posts').create({ title: 'seeded' });
    const gone = await pb.collection('authors').create({ name: 'to delete' });
    t.events.length = 0;

    const batch = pb.createBatch();
    batch.collection('authors').create({ id: 'sdkauthor000001', name: 'Ann' });
    batch.collection('posts').create({ title: 'by ann', author: 'sdkauthor000001' }, { expand: 'author' });
    batch.collection('posts').update(seeded.id, { views: 7 });
    batch.collection('posts').upsert({ id: seeded.id, title: 'upserted over' });
    batch.collection('posts').upsert({ id: 'sdkpost00000001', title: 'upserted new' });
    batch.collection('authors').delete(gone.id);
    const results = await batch.send();

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 204]);
    expect(results[1]!.body.expand.author.name).toBe('Ann');
    expect(results[3]!.body).toMatchObject({ id: seeded.id, title: 'upserted over', views: 7 });
    expect(results[5]!.body).toBeNull();
    expect(await pb.collection('posts').getOne('sdkpost00000001')).toMatchObject({ title: 'upserted new' });
    await expect(pb.collection('authors').getOne(gone.id)).rejects.toMatchObject({ status: 404 });
    expect(t.events).toHaveLength(6);
  });

  it('rolls everything back when one request fails, and says which', async () => {
    const pb = new PocketBase(url);
    const post = await pb.collection('posts').create({ title: 'keep me' });
    const authorsBefore = (await t.rows('authors')).length;
    t.events.length = 0;

    const batch = pb.createBatch();
    batch.collection('authors').create({ name: 'rolled back' });
    batch.collection('posts').update(post.id, { title: 'changed' });
    batch.collection('posts').create({ title: 'forbidden' });
    const err = await batch.send().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ClientResponseError);
    const failure = err as ClientResponseError;
    expect(failure.status).toBe(400);
    expect(failure.response).toMatchObject({
      message: 'Batch transaction failed.',
      data: { requests: { '2': { code: 'batch_request_failed', response: { status: 400, message: 'Failed to create record.' } } } },
    });
    expect((await t.rows('authors')).length).toBe(authorsBefore);
    expect((await pb.collection('posts').getOne(post.id)).title).toBe('keep me');
    expect(t.events).toEqual([]);
  });
});
