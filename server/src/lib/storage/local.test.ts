import { mkdtemp, readdir, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalStorage } from './local.ts';
import { describeStorageContract } from './storage.case.ts';

describeStorageContract('local disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'galley-storage-'));
  return { storage: createLocalStorage(join(dir, 'storage')), dispose: () => rm(dir, { recursive: true, force: true }) };
});

describe('local disk specifics', () => {
  it('keeps files inside the root, leaves no temp files and drops emptied folders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galley-storage-'));
    try {
      const storage = createLocalStorage(join(dir, 'storage'));
      await storage.put('c/r/a.txt', new TextEncoder().encode('a'));
      expect(await readdir(join(dir, 'storage', 'c', 'r'))).toEqual(['a.txt']);
      await storage.delete('c/r/a.txt');
      expect(await readdir(join(dir, 'storage'))).toEqual([]);
      expect(await readdir(dir)).toEqual(['storage']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('hides in-flight temp files from list and removes stale ones left by a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galley-storage-'));
    try {
      const root = join(dir, 'storage');
      await mkdir(join(root, 'c', 'r'), { recursive: true });
      await writeFile(join(root, 'c', 'r', '.~galley-fresh'), 'x');
      await writeFile(join(root, 'c', 'r', '.~galley-stale'), 'x');
      const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(join(root, 'c', 'r', '.~galley-stale'), old, old);
      const storage = createLocalStorage(root);
      const keys: string[] = [];
      for await (const info of storage.list('')) keys.push(info.key);
      expect(keys).toEqual([]);
      expect(await readdir(join(root, 'c', 'r'))).toEqual(['.~galley-fresh']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
