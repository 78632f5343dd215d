/**
 * One thumbnail made with jimp, as PocketBase's sizes ask (thumb-size.ts). Runs in the thumbnail worker,
 * or on the main thread where no worker can start (library mode on Node without a TypeScript loader).
 */
import { HorizontalAlign, Jimp, VerticalAlign } from 'jimp';
import type { ThumbSize } from './thumb-size.ts';

export interface RenderedThumb {
  bytes: Uint8Array;
  contentType: string;
}

/** wire: JPEG and GIF keep their format; everything else (PNG, WebP, …) becomes PNG, as PocketBase does. */
function pickOutputType(format: string): 'image/jpeg' | 'image/gif' | 'image/png' {
  if (format === 'jpeg') return 'image/jpeg';
  if (format === 'gif') return 'image/gif';
  return 'image/png';
}

export async function renderThumbnail(source: Uint8Array, size: ThumbSize, format: string): Promise<RenderedThumb> {
  const image = await Jimp.fromBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
  const { width, height, mode } = size;
  if (width === 0 || height === 0) {
    // One side given: scale to it, keeping the aspect ratio (enlarging too, as PocketBase does).
    if (width === 0) image.resize({ w: Math.max(1, Math.round((image.width * height) / image.height)), h: height });
    else image.resize({ w: width, h: Math.max(1, Math.round((image.height * width) / image.width)) });
  } else if (mode === 'f') {
    // Fit inside the box without cropping; never enlarges.
    if (image.width > width || image.height > height) image.scaleToFit({ w: width, h: height });
  } else {
    const vertical = mode === 't' ? VerticalAlign.TOP : mode === 'b' ? VerticalAlign.BOTTOM : VerticalAlign.MIDDLE;
    image.cover({ w: width, h: height, align: HorizontalAlign.CENTER | vertical });
  }
  const contentType = pickOutputType(format);
  const out = contentType === 'image/jpeg' ? await image.getBuffer(contentType, { quality: 90 }) : await image.getBuffer(contentType);
  // A copy: Buffer may share a pooled ArrayBuffer, which cannot be handed to another thread.
  return { bytes: new Uint8Array(out), contentType };
}
