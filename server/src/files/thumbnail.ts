/**
 * A thumbnail made once and kept in storage beside its original (`thumbs_<name>/<size>_<name>`). Images
 * over the pixel or byte limits, other formats and failed renders fall back to the original, as PocketBase does.
 */
import type { Core } from '../core.ts';
import { readImageSize } from '../lib/image-size.ts';
import { LruMap } from '../lib/lru.ts';
import { createThumbRenderer, type ThumbRenderer } from './thumb-renderer.ts';
import type { ThumbSize } from './thumb-size.ts';

/** An image with more pixels is never decoded (a 40 MP RGBA bitmap is already 160 MB). */
export const MAX_THUMB_SOURCE_PIXELS = 40_000_000;
/** Nor is a source file larger than this read into memory. */
export const MAX_THUMB_SOURCE_BYTES = 64 * 1024 * 1024;

/** One Galley's thumbnails in the making (held as `core.thumbnails`). */
export interface ThumbnailService {
  /** thumbnails being made now: concurrent requests for one thumb wait for the same render */
  readonly pending: Map<string, Promise<boolean>>;
  /** originals that cannot be thumbed (format, size, decoder error), so they are not read on every request */
  readonly refused: LruMap<string, true>;
  readonly renderer: ThumbRenderer;
  /** Wait for the thumbnails being made, then end the renderer's worker (close()). */
  stop(): Promise<void>;
}

export function createThumbnailService(): ThumbnailService {
  const pending = new Map<string, Promise<boolean>>();
  const renderer = createThumbRenderer();
  return {
    pending,
    refused: new LruMap(1000),
    renderer,
    async stop() {
      await Promise.allSettled([...pending.values()]);
      await renderer.stop();
    },
  };
}

export function thumbKeyOf(folder: string, filename: string, sizeText: string): string {
  return `${folder}/thumbs_${filename}/${sizeText}_${filename}`;
}

/** True when the thumb exists in storage now (already there, or just made); false: serve the original. */
export function ensureThumbnail(core: Core, originalKey: string, thumbKey: string, size: ThumbSize): Promise<boolean> {
  const { pending } = core.thumbnails;
  let job = pending.get(thumbKey);
  if (!job) {
    job = makeThumbnail(core, originalKey, thumbKey, size).finally(() => pending.delete(thumbKey));
    pending.set(thumbKey, job);
  }
  return job;
}

async function makeThumbnail(core: Core, originalKey: string, thumbKey: string, size: ThumbSize): Promise<boolean> {
  if (await core.storage.stat(thumbKey)) return true;
  const { refused } = core.thumbnails;
  const original = await core.storage.stat(originalKey);
  if (!original) return false;
  const verdictKey = `${core.storage.kind}|${thumbKey}|${original.size}|${original.modified.getTime()}`;
  if (refused.get(verdictKey)) return false;
  const refuse = () => {
    refused.set(verdictKey, true);
    return false;
  };
  if (original.size === 0 || original.size > MAX_THUMB_SOURCE_BYTES) return refuse();
  const object = await core.storage.get(originalKey);
  if (!object) return false;
  const source = new Uint8Array(await new Response(object.body).arrayBuffer());
  const image = readImageSize(source);
  // wire: only PNG, JPEG, GIF and WebP get thumbs; anything else is served as it is.
  if (!image) return refuse();
  if (image.width * image.height > MAX_THUMB_SOURCE_PIXELS || image.width === 0 || image.height === 0) {
    core.log.warn('thumbnail skipped: image over the pixel limit', { key: originalKey, width: image.width, height: image.height });
    return refuse();
  }
  let thumb;
  try {
    thumb = await core.thumbnails.renderer.renderThumbnailQueued(source, size, image.format);
  } catch (err) {
    core.log.warn('thumbnail failed; serving the original', { key: originalKey, error: err instanceof Error ? err.message : String(err) });
    return refuse();
  }
  try {
    await core.storage.put(thumbKey, thumb.bytes, { contentType: thumb.contentType });
    core.log.debug('thumbnail made', { key: thumbKey, renderer: core.thumbnails.renderer.describeThumbnailRenderer() });
    return true;
  } catch (err) {
    core.log.warn('thumbnail could not be stored; serving the original', { key: thumbKey, error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}
