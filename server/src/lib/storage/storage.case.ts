/**
 * The storage contract: what every FileStorage must do, whichever backend holds the bytes.
 * local.test.ts runs it on a temp dir, s3.test.ts against a real s3rver on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileStorage } from './file-storage.ts';

export interface StorageFixture {
  storage: FileStorage;
  /** remove everything the fixture made */
  dispose(): Promise<void>;
}

const bytes = (text: string) => new TextEncoder().encode(text);

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

async function keysUnder(storage: FileStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of storage.list(prefix)) keys.push(info.key);
  return keys.sort();
}

export function describeStorageContract(name: string, make: () => Promise<StorageFixture>): void {
  describe(`storage contract: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: FileStorage;
    beforeEach(async () => {
      fixture = await make();
      storage = fixture.storage;
    });
    afterEach(() => fixture.dispose());

    it('puts, stats and gets an object back byte for byte', async () => {
      const data = new Uint8Array(200_000).map((_, i) => (i * 7) % 256);
      await storage.put('col1/rec1/photo_ab12.png', data, { contentType: 'image/png' });
      const info = await storage.stat('col1/rec1/photo_ab12.png');
      expect(info).toMatchObject({ key: 'col1/rec1/photo_ab12.png', size: 200_000 });
      expect(info!.modified).toBeInstanceOf(Date);
      expect(Math.abs(info!.modified.getTime() - Date.now())).toBeLessThan(10 * 60_000);
      const got = await storage.get('col1/rec1/photo_ab12.png');
      expect(got!.size).toBe(200_000);
      const back = new Uint8Array(await new Response(got!.body).arrayBuffer());
      expect(Buffer.compare(back, data)).toBe(0);
    });

    it('replaces an existing key', async () => {
      await storage.put('c/r/a.txt', bytes('first version'));
      await storage.put('c/r/a.txt', bytes('second'));
      const got = await storage.get('c/r/a.txt');
      expect(got!.size).toBe(6);
      expect(await readAll(got!.body)).toBe('second');
      expect(await keysUnder(storage, 'c/')).toEqual(['c/r/a.txt']);
    });

    it('stores an empty object', async () => {
      await storage.put('c/r/empty.txt', new Uint8Array(0));
      expect((await storage.stat('c/r/empty.txt'))!.size).toBe(0);
      expect(await readAll((await storage.get('c/r/empty.txt'))!.body)).toBe('');
    });

    it('reads inclusive byte ranges, clamping the end to the last byte', async () => {
      await storage.put('c/r/abc.txt', bytes('0123456789'));
      expect(await readAll((await storage.get('c/r/abc.txt', { start: 2, end: 5 }))!.body)).toBe('2345');
      expect(await readAll((await storage.get('c/r/abc.txt', { start: 9, end: 9 }))!.body)).toBe('9');
      const tail = await storage.get('c/r/abc.txt', { start: 7, end: 1000 });
      expect(tail!.size).toBe(10);
      expect(await readAll(tail!.body)).toBe('789');
    });

    it('answers null for missing keys and treats deleting one as done', async () => {
      expect(await storage.get('c/r/nope.txt')).toBeNull();
      expect(await storage.stat('c/r/nope.txt')).toBeNull();
      await storage.delete('c/r/nope.txt');
      await storage.deletePrefix('nothing/here/');
    });

    it('does not treat a folder as an object', async () => {
      await storage.put('c/r/thumbs_a.png/100x100_a.png', bytes('t'));
      expect(await storage.stat('c/r/thumbs_a.png')).toBeNull();
      expect(await storage.get('c/r')).toBeNull();
    });

    it('deletes one object and leaves its neighbours', async () => {
      await storage.put('c/r/a.txt', bytes('a'));
      await storage.put('c/r/b.txt', bytes('b'));
      await storage.delete('c/r/a.txt');
      expect(await storage.stat('c/r/a.txt')).toBeNull();
      expect(await keysUnder(storage, 'c/r/')).toEqual(['c/r/b.txt']);
    });

    it('lists by string prefix, thumbnails included, with sizes', async () => {
      await storage.put('c1/r1/a.png', bytes('aaa'));
      await storage.put('c1/r1/thumbs_a.png/100x100_a.png', bytes('tt'));
      await storage.put('c1/r2/b.png', bytes('b'));
      await storage.put('c1/r22/c.png', bytes('c'));
      await storage.put('c2/r1/d.png', bytes('d'));
      expect(await keysUnder(storage, '')).toEqual(['c1/r1/a.png', 'c1/r1/thumbs_a.png/100x100_a.png', 'c1/r2/b.png', 'c1/r22/c.png', 'c2/r1/d.png']);
      expect(await keysUnder(storage, 'c1/r1/')).toEqual(['c1/r1/a.png', 'c1/r1/thumbs_a.png/100x100_a.png']);
      expect(await keysUnder(storage, 'c1/r2')).toEqual(['c1/r2/b.png', 'c1/r22/c.png']);
      expect(await keysUnder(storage, 'c3/')).toEqual([]);
      const sizes: Record<string, number> = {};
      for await (const info of storage.list('c1/r1/')) sizes[info.key] = info.size;
      expect(sizes).toEqual({ 'c1/r1/a.png': 3, 'c1/r1/thumbs_a.png/100x100_a.png': 2 });
    });

    it("deletes a record's folder with its thumbnails and nothing else", async () => {
      await storage.put('c1/r1/a.png', bytes('a'));
      await storage.put('c1/r1/thumbs_a.png/100x100_a.png', bytes('t'));
      await storage.put('c1/r11/keep.png', bytes('k'));
      await storage.deletePrefix('c1/r1/');
      expect(await keysUnder(storage, '')).toEqual(['c1/r11/keep.png']);
      await storage.put('c1/r1/again.png', bytes('again'));
      expect(await keysUnder(storage, 'c1/r1/')).toEqual(['c1/r1/again.png']);
    });

    it('keeps unicode and spaces in names', async () => {
      await storage.put('c/r/résumé über 1.pdf', bytes('pdf'));
      expect(await keysUnder(storage, 'c/r/')).toEqual(['c/r/résumé über 1.pdf']);
      expect(await readAll((await storage.get('c/r/résumé über 1.pdf'))!.body)).toBe('pdf');
    });

    it('writes many keys concurrently without losing one', async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => storage.put(`c/r${i % 4}/f${i}.txt`, bytes(String(i)))));
      expect((await keysUnder(storage, 'c/')).length).toBe(40);
      // Deletes go one by one: s3rver's own folder clean-up races when siblings are deleted at once.
      for (let i = 0; i < 40; i += 2) await storage.delete(`c/r${i % 4}/f${i}.txt`);
      expect((await keysUnder(storage, 'c/')).length).toBe(20);
      await storage.deletePrefix('c/');
      expect(await keysUnder(storage, 'c/')).toEqual([]);
    });

    it.each([
      '../escape.txt',
      'c/../../escape.txt',
      'c/./r/a.txt',
      '/etc/passwd',
      'c//a.txt',
      'c/r/a\u0000.txt',
      'c\\..\\..\\x',
      '',
      'c/r/',
    ])('refuses the key %j on every operation', async (key) => {
      await expect(storage.put(key, bytes('x'))).rejects.toThrow();
      await expect(storage.get(key)).rejects.toThrow();
      await expect(storage.stat(key)).rejects.toThrow();
      await expect(storage.delete(key)).rejects.toThrow();
    });

    it('refuses traversal in prefixes', async () => {
      await expect(storage.deletePrefix('../')).rejects.toThrow();
      await expect(async () => {
        for await (const _ of storage.list('c/../..')) void _;
      }).rejects.toThrow();
    });
  });
}
