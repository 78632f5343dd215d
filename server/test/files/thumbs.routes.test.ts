// ?thumb=: PocketBase's size forms, only sizes the field lists (plus 100x100), made once and kept in
// storage; anything that cannot be thumbed is served as the original.
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, readImageDimensions, startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

let t: FilesGalley;
let id: string;
let folder: string;
const originals: Record<string, Uint8Array> = {};

beforeAll(async () => {
  t = await startFilesGalley(filesSchema());
  id = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'pics' } })).json.id;
  folder = `${t.galley.core.schema.findCollection('docs')!.id}/${id}`;
  originals['wide.png'] = await makeImage(200, 100, 'image/png');
  originals['photo.jpg'] = await makeImage(120, 160, 'image/jpeg');
  originals['anim.gif'] = await makeImage(90, 90, 'image/gif');
  originals['small.png'] = await makeImage(30, 20, 'image/png');
  originals['tall.png'] = await makeImage(100, 200, 'image/png');
  for (const [name, bytes] of Object.entries(originals)) await t.addFile('docs', id, 'files', name, bytes);
  await t.addFile('docs', id, 'files', 'notes.txt', 'not an image');
  // A PNG header claiming 10000 x 10000 pixels (100 MP) over a body no decoder would accept.
  const huge = new Uint8Array(64);
  huge.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 6, 0, 0, 0]);
  originals['huge.png'] = huge;
  await t.addFile('docs', id, 'files', 'huge.png', huge);
  // A WebP header (VP8X, 50 x 40) the decoder does not read: falls back to the original.
  const webp = new Uint8Array(64);
  webp.set([...Buffer.from('RIFF'), 56, 0, 0, 0, ...Buffer.from('WEBPVP8X'), 10, 0, 0, 0, 0, 0, 0, 0, 49, 0, 0, 39, 0, 0]);
  originals['pic.webp'] = webp;
  await t.addFile('docs', id, 'files', 'pic.webp', webp);
});
afterAll(() => t.close());

const thumbUrl = (name: string, size: string) => `/api/files/docs/${id}/${name}?thumb=${encodeURIComponent(size)}`;

describe('sizes', () => {
  const cases: Array<{ size: string; file: string; width: number; height: number; note: string }> = [
    { size: '100x100', file: 'wide.png', width: 100, height: 100, note: 'always allowed, crop to the box' },
    { size: '50x50', file: 'wide.png', width: 50, height: 50, note: 'listed, crop from the centre' },
    { size: '0x40', file: 'wide.png', width: 80, height: 40, note: 'height only, aspect kept' },
    { size: '40x0', file: 'wide.png', width: 40, height: 20, note: 'width only, aspect kept' },
    { size: '60x30t', file: 'photo.jpg', width: 60, height: 30, note: 'crop from the top' },
    { size: '60x30b', file: 'photo.jpg', width: 60, height: 30, note: 'crop from the bottom' },
    { size: '60x30f', file: 'wide.png', width: 60, height: 30, note: 'fit inside the box' },
    { size: '60x30f', file: 'photo.jpg', width: 23, height: 30, note: 'fit a tall image inside the box' },
    { size: '500x500f', file: 'small.png', width: 30, height: 20, note: 'fit never enlarges' },
    { size: '50x50', file: 'anim.gif', width: 50, height: 50, note: 'a GIF' },
  ];
  it.each(cases)('$size of $file → $width x $height ($note)', async ({ size, file, width, height }) => {
    const res = await t.fetchFile(thumbUrl(file, size));
    expect(res.status).toBe(200);
    expect(await readImageDimensions(res.bytes)).toEqual({ width, height });
    expect(res.headers.get('content-disposition')).toContain(`inline; filename="${size}_${file}"`);
    expect(await t.galley.core.storage.stat(`${folder}/thumbs_${file}/${size}_${file}`)).not.toBeNull();
  });

  it('keeps JPEG and GIF formats and makes PNG of the rest, as PocketBase does', async () => {
    expect((await t.fetchFile(thumbUrl('photo.jpg', '50x50'))).headers.get('content-type')).toBe('image/jpeg');
    expect((await t.fetchFile(thumbUrl('anim.gif', '100x100'))).headers.get('content-type')).toBe('image/gif');
    expect((await t.fetchFile(thumbUrl('wide.png', '100x100'))).headers.get('content-type')).toBe('image/png');
  });

  it('crops t, b and the default from the top, the bottom and the centre', async () => {
    const pixel = async (size: string, y: number) => {
      const image = await Jimp.fromBuffer(Buffer.from((await t.fetchFile(thumbUrl('tall.png', size))).bytes));
      const c = image.getPixelColor(30, y);
      return { r: c >>> 24, g: (c >>> 16) & 0xff, b: (c >>> 8) & 0xff };
    };
    // makeImage paints the top fifth red, the bottom fifth green, the rest blue
    expect(await pixel('60x30t', 0)).toMatchObject({ r: 255, g: 0 });
    expect(await pixel('60x30b', 29)).toMatchObject({ r: 0, g: 255 });
    expect(await pixel('50x50', 25)).toMatchObject({ r: 0x33, g: 0x66, b: 0xcc });
  });
});

describe('falling back to the original, as PocketBase does', () => {
  const cases: Array<{ name: string; file: string; size: string }> = [
    { name: 'a size the field does not list', file: 'wide.png', size: '70x70' },
    { name: 'a listed form with another mode', file: 'wide.png', size: '50x50f' },
    { name: 'a malformed size', file: 'wide.png', size: 'abc' },
    { name: 'a zero size', file: 'wide.png', size: '0x0' },
    { name: 'a file that is not an image', file: 'notes.txt', size: '100x100' },
    { name: 'an image over the pixel limit', file: 'huge.png', size: '100x100' },
    { name: 'a WebP the decoder cannot read', file: 'pic.webp', size: '100x100' },
  ];
  it.each(cases)('$name', async ({ file, size }) => {
    const res = await t.fetchFile(thumbUrl(file, size));
    expect(res.status).toBe(200);
    const original = originals[file] ?? new TextEncoder().encode('not an image');
    expect(Buffer.compare(res.bytes, original)).toBe(0);
    expect(res.headers.get('content-disposition')).toContain(`filename="${file}"`);
    expect(await t.galley.core.storage.stat(`${folder}/thumbs_${file}/${size}_${file}`)).toBeNull();
  });

  it('refuses the oversized image from its header, before any decoder sees it', async () => {
    await t.fetchFile(thumbUrl('huge.png', '100x100'));
    expect(t.warnings.some((line) => line.includes('over the pixel limit') && line.includes('"width":10000'))).toBe(true);
    expect(t.warnings.some((line) => line.includes('thumbnail failed') && line.includes('huge.png'))).toBe(false);
  });
});

describe('made once', () => {
  it('serves the stored thumb on later requests without making it again', async () => {
    await t.fetchFile(thumbUrl('wide.png', '40x0'));
    const key = `${folder}/thumbs_wide.png/40x0_wide.png`;
    const first = await t.galley.core.storage.stat(key);
    await new Promise((r) => setTimeout(r, 20));
    const again = await t.fetchFile(thumbUrl('wide.png', '40x0'));
    expect(again.status).toBe(200);
    expect((await t.galley.core.storage.stat(key))!.modified.getTime()).toBe(first!.modified.getTime());
    expect(again.headers.get('etag')).toBe((await t.fetchFile(thumbUrl('wide.png', '40x0'))).headers.get('etag'));
  });

  it('answers concurrent requests for a new thumb with identical bytes and one stored object', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.fetchFile(thumbUrl('photo.jpg', '100x100'))));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.bytes, answers[0]!.bytes)).toBe(0);
    }
    const keys: string[] = [];
    for await (const info of t.galley.core.storage.list(`${folder}/thumbs_photo.jpg/100x100`)) keys.push(info.key);
    expect(keys).toEqual([`${folder}/thumbs_photo.jpg/100x100_photo.jpg`]);
  });

  it('renders off the main thread under Bun (a worker); on Node without a TS loader, on the main thread', () => {
    expect(t.galley.core.thumbnails.renderer.describeThumbnailRenderer()).toBe(typeof process.versions.bun === 'string' ? 'worker' : 'main thread');
  });
});
