// The official pocketbase SDK over a real listener: upload through FormData, then pb.files.getURL (thumb,
// download, token) and pb.files.getToken for a protected file, as an app would use them.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, readImageDimensions, startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

let t: FilesGalley;
let baseUrl: string;

beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  baseUrl = (await t.galley.listen('127.0.0.1:0')).url;
});
afterAll(() => t.close());

async function signedIn(email: string): Promise<PocketBase> {
  const pb = new PocketBase(baseUrl);
  await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return pb;
}

describe('files through the pocketbase SDK', () => {
  it('uploads, then fetches the original, a thumb and a download by getURL', async () => {
    const pb = await signedIn('sdk-a@example.com');
    const image = await makeImage(160, 90);
    const rec = await pb.collection('docs').create({
      title: 'with files',
      owner: pb.authStore.record!.id,
      files: [new File([image], 'Holiday Photo.png', { type: 'image/png' })],
    });
    const name = rec['files'][0] as string;
    expect(name).toMatch(/^holiday_photo_\w{10}\.png$/);

    const original = await fetch(pb.files.getURL(rec, name));
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(new Uint8Array(await original.arrayBuffer()), image)).toBe(0);

    const thumb = await fetch(pb.files.getURL(rec, name, { thumb: '0x40' }));
    expect(thumb.status).toBe(200);
    expect(await readImageDimensions(new Uint8Array(await thumb.arrayBuffer()))).toEqual({ width: 71, height: 40 });

    const download = await fetch(pb.files.getURL(rec, name, { download: true }));
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="holiday_photo_\w{10}\.png"/);

    const head = await fetch(pb.files.getURL(rec, name), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(image.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const range = await fetch(pb.files.getURL(rec, name), { headers: { range: 'bytes=0-7' } });
    expect(range.status).toBe(206);
    expect([...new Uint8Array(await range.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('opens a protected file only with a file token from getToken, for a caller the view rule admits', async () => {
    const owner = await signedIn('sdk-owner@example.com');
    const stranger = await signedIn('sdk-stranger@example.com');
    const rec = await owner.collection('docs').create({
      title: 'private',
      owner: owner.authStore.record!.id,
      secret: new File(['top secret'], 'secret.txt', { type: 'text/plain' }),
    });
    const name = rec['secret'] as string;

    expect((await fetch(owner.files.getURL(rec, name))).status).toBe(404);

    const token = await owner.files.getToken();
    const opened = await fetch(owner.files.getURL(rec, name, { token }));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toBe('top secret');
    expect(opened.headers.get('content-disposition')).toMatch(/^attachment;/);

    const strangerToken = await stranger.files.getToken();
    const refused = await fetch(stranger.files.getURL(rec, name, { token: strangerToken }));
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ data: {}, message: "The requested resource wasn't found.", status: 404 });

    const guest = new PocketBase(baseUrl);
    await expect(guest.files.getToken()).rejects.toMatchObject({ status: 401 });
  });
});
