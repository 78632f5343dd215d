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
      await writeFile(join(root, 'c', 'r', '.~galley-stale'), 'x');
      const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(join(root, 'c', 'r', '.~galley-stale'), old, old);
      const storage = createLocalStorage(root);
      // written after opening: another live writer's put in flight
      await writeFile(join(root, 'c', 'r', '.~galley-fresh'), 'x');
      const keys: string[] = [];
      for await (const info of storage.list('')) keys.push(info.key);
      expect(keys).toEqual([]);
      expect(await readdir(join(root, 'c', 'r'))).toEqual(['.~galley-fresh']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('local disk after a crash', () => {
  it('removes temp files last written before it was opened (a killed process), keeps those written since', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galley-storage-'));
    try {
      const root = join(dir, 'storage');
      await mkdir(join(root, 'c', 'r'), { recursive: true });
      const crashed = join(root, 'c', 'r', '.~galley-crashed');
      await writeFile(crashed, 'x');
      const before = new Date(Date.now() - 10_000);
      await utimes(crashed, before, before);
      const storage = createLocalStorage(root);
      await writeFile(join(root, 'c', 'r', '.~galley-inflight'), 'x');
      for await (const _ of storage.list('')) void _;
      expect(await readdir(join(root, 'c', 'r'))).toEqual(['.~galley-inflight']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('local disk under concurrency', () => {
  it('puts and deletes siblings at once without losing a put to a folder clean-up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'galley-storage-'));
    try {
      const storage = createLocalStorage(join(dir, 'storage'));
      const data = new TextEncoder().encode('x');
      for (let round = 0; round < 20; round++) {
        await storage.put(`c/r/old${round}.txt`, data);
        await Promise.all([storage.delete(`c/r/old${round}.txt`), storage.put(`c/r/new${round}.txt`, data)]);
        expect(await storage.stat(`c/r/new${round}.txt`)).not.toBeNull();
      }
      await Promise.all(Array.from({ length: 40 }, (_, i) => storage.delete(`c/r/new${i}.txt`)));
      expect(await readdir(join(dir, 'storage'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
