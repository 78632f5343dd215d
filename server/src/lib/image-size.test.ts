import { Jimp } from 'jimp';
import { describe, expect, it } from 'vitest';
import { readImageSize } from './image-size.ts';

const encode = async (w: number, h: number, mime: 'image/png' | 'image/jpeg' | 'image/gif') =>
  new Uint8Array(await new Jimp({ width: w, height: h, color: 0x112233ff }).getBuffer(mime));

describe('readImageSize', () => {
  it.each([
    ['image/png', 'png'],
    ['image/jpeg', 'jpeg'],
    ['image/gif', 'gif'],
  ] as const)('reads %s written by an encoder', async (mime, format) => {
    expect(readImageSize(await encode(321, 123, mime))).toEqual({ width: 321, height: 123, format });
  });

  it('finds the JPEG frame header after large application segments', async () => {
    const jpeg = await encode(64, 48, 'image/jpeg');
    // SOI, then a 60 KB APP1 segment (as EXIF with an embedded preview would be), then the rest
    const app1 = new Uint8Array(4 + 60_000);
    app1.set([0xff, 0xe1, (60_002 >> 8) & 0xff, 60_002 & 0xff]);
    const padded = new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
    expect(readImageSize(padded)).toEqual({ width: 64, height: 48, format: 'jpeg' });
  });

  it('reads the three WebP headers (VP8X, VP8L, VP8)', () => {
    const riff = (chunk: string, body: number[]) => new Uint8Array([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP' + chunk), 0, 0, 0, 0, ...body, ...new Array(16).fill(0)]);
    // VP8X: flags + reserved, then width-1 and height-1 as 24-bit little endian
    expect(readImageSize(riff('VP8X', [0, 0, 0, 0, 0x1f, 0x03, 0x00, 0xc7, 0x00, 0x00]))).toEqual({ width: 800, height: 200, format: 'webp' });
    // VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1
    const bits = (99 & 0x3fff) | ((49 & 0x3fff) << 14);
    expect(readImageSize(riff('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >> 24) & 0xff]))).toEqual({ width: 100, height: 50, format: 'webp' });
    // VP8: frame tag (3 bytes), start code 9d 01 2a, then 16-bit width and height
    expect(readImageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]))).toEqual({ width: 320, height: 240, format: 'webp' });
  });

  it('answers null for other formats and cut headers', async () => {
    expect(readImageSize(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(readImageSize(new TextEncoder().encode('%PDF-1.4'))).toBeNull();
    expect(readImageSize(new Uint8Array(0))).toBeNull();
    expect(readImageSize((await encode(10, 10, 'image/png')).subarray(0, 20))).toBeNull();
    expect(readImageSize((await encode(10, 10, 'image/jpeg')).subarray(0, 30))).toBeNull();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeNull();
  });
});
