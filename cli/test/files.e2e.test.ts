// Files through the compiled binary with the official `pocketbase` SDK: upload, thumbnails rendered by the
// embedded worker thread (an extra entry point of the build), a protected file opened with a file token.
import PocketBase from 'pocketbase';
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { selfServiceUsers } from '../../server/test/helpers/users-collection.ts';

const schema = [
  selfServiceUsers(),
  {
    name: 'albums',
    type: 'base',
    listRule: '',
    viewRule: 'owner = @request.auth.id',
    createRule: '@request.auth.id != ""',
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: 'owner', type: 'relation', collectionId: 'users', maxSelect: 1 },
      { name: 'photos', type: 'file', maxSelect: 5, thumbs: ['120x0', '50x50t'] },
      { name: 'private', type: 'file', maxSelect: 1, protected: true },
    ],
  },
];

let server: RunningBinary;
beforeAll(async () => {
  server = await startBinary({ schema, env: { GALLEY_LOG_LEVEL: 'debug' } });
});
afterAll(() => server?.stop());

async function signedIn(email: string): Promise<PocketBase> {
  const pb = new PocketBase(server.url);
  await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
  await pb.collection('users').authWithPassword(email, 'password123');
  return pb;
}

describe('files in the compiled binary', () => {
  it('serves thumbnails made by the worker thread, and protected files with a file token', async () => {
    const pb = await signedIn('album@example.com');
    const photo = new Uint8Array(await new Jimp({ width: 240, height: 160, color: 0x2255aaff }).getBuffer('image/jpeg'));
    const album = await pb.collection('albums').create({
      owner: pb.authStore.record!.id,
      photos: [new File([photo], 'beach.jpg', { type: 'image/jpeg' })],
      private: new File(['diary'], 'diary.txt', { type: 'text/plain' }),
    });
    const name = album['photos'][0] as string;

    for (const [size, width, height] of [['120x0', 120, 80], ['50x50t', 50, 50], ['100x100', 100, 100]] as const) {
      const res = await fetch(pb.files.getURL(album, name, { thumb: size }));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const image = await Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
      expect([image.width, image.height]).toEqual([width, height]);
    }
    // the debug log names the renderer: the embedded worker, not the main thread
    expect(server.output().stderr + server.output().stdout).toContain('"renderer":"worker"');
    expect(server.output().stderr + server.output().stdout).not.toContain('"renderer":"main thread"');

    expect((await fetch(pb.files.getURL(album, album['private']))).status).toBe(404);
    const opened = await fetch(pb.files.getURL(album, album['private'], { token: await pb.files.getToken() }));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toBe('diary');
    expect(opened.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
