import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Jimp } from 'jimp';
import { describe, expect, it } from 'vitest';
import type { Core } from '../core.ts';
import { createLogger } from '../lib/log.ts';
import type { FileStorage } from '../lib/storage/file-storage.ts';
import { createLocalStorage } from '../lib/storage/local.ts';
import { createThumbnailService, ensureThumbnail } from './thumbnail.ts';

/** A real local storage that counts the objects written and read. */
function countingStorage(inner: FileStorage) {
  const counts = { put: 0, get: 0 };
  const storage: FileStorage = {
    kind: inner.kind,
    put: (k, d, o) => (counts.put++, inner.put(k, d, o)),
    get: (k, r) => (counts.get++, inner.get(k, r)),
    stat: (k) => inner.stat(k),
    delete: (k) => inner.delete(k),
    deletePrefix: (p) => inner.deletePrefix(p),
    list: (p) => inner.list(p),
  };
  return { storage, counts };
}

async function withStorage(run: (core: Core, counts: { put: number; get: number }) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'galley-thumbs-'));
  try {
    const { storage, counts } = countingStorage(createLocalStorage(dir));
    const thumbnails = createThumbnailService();
    try {
      await run({ storage, thumbnails, log: createLogger('error', () => {}) } as unknown as Core, counts);
    } finally {
      await thumbnails.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SIZE = { width: 20, height: 20, mode: '' as const };

describe('ensureThumbnail', () => {
  it('makes a thumb once for many concurrent callers, then reuses it', async () => {
    await withStorage(async (core, counts) => {
      await core.storage.put('c/r/a.png', new Uint8Array(await new Jimp({ width: 80, height: 60, color: 0xff0000ff }).getBuffer('image/png')));
      counts.put = 0;
      const results = await Promise.all(Array.from({ length: 10 }, () => ensureThumbnail(core, 'c/r/a.png', 'c/r/thumbs_a.png/20x20_a.png', SIZE)));
      expect(results.every(Boolean)).toBe(true);
      expect(counts.put).toBe(1);
      expect(await ensureThumbnail(core, 'c/r/a.png', 'c/r/thumbs_a.png/20x20_a.png', SIZE)).toBe(true);
      expect(counts.put).toBe(1);
    });
  });

  it('does not read a refused original again on every request', async () => {
    await withStorage(async (core, counts) => {
      await core.storage.put('c/r/n.txt', new TextEncoder().encode('no image'));
      expect(await ensureThumbnail(core, 'c/r/n.txt', 'c/r/thumbs_n.txt/20x20_n.txt', SIZE)).toBe(false);
      const reads = counts.get;
      expect(await ensureThumbnail(core, 'c/r/n.txt', 'c/r/thumbs_n.txt/20x20_n.txt', SIZE)).toBe(false);
      expect(counts.get).toBe(reads);
      expect(counts.put).toBe(1);
    });
  });

  it('answers false for a missing original', async () => {
    await withStorage(async (core) => {
      expect(await ensureThumbnail(core, 'c/r/gone.png', 'c/r/thumbs_gone.png/20x20_gone.png', SIZE)).toBe(false);
    });
  });
});
