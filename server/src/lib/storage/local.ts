import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileStorage, StoredObject, StoredObjectInfo } from './file-storage.ts';
import { assertStorageKey, assertStoragePrefix, TEMP_PREFIX } from './storage-key.ts';

const CHUNK = 64 * 1024;
// A temp file this old belongs to a put that died with its process (kill -9); list() removes it.
const STALE_TEMP_MS = 60 * 60 * 1000;
// Temp names carry the writing instance's tag: another instance's temp last written before this one opened
// was left by a process that died mid-put (kill -9), so the first list() after a restart removes it.
// File times come from the kernel's coarse clock, up to a tick behind Date.now() (measured here: at most 6.3 ms
// over 4,000 writes). The margin keeps a file that another Galley on this dir wrote just after we opened; it must
// stay well under the time a restarted process takes to open its storage after a kill -9 (~40-70 ms measured on a
// quiet box), or the dead process's temps survive the first sweep (50 ms did: the files kill -9 e2e test failed).
const COARSE_CLOCK_MS = 15;

/** Files on local disk under `root` (Galley passes `<dataDir>/storage`), one file per key. */
export function createLocalStorage(rootDir: string): FileStorage {
  const root = resolve(rootDir);
  const openedAt = Date.now();
  const instance = randomBytes(4).toString('hex');
  const isStaleTemp = (name: string, mtimeMs: number) =>
    Date.now() - mtimeMs > STALE_TEMP_MS || (!name.startsWith(`${TEMP_PREFIX}${instance}-`) && mtimeMs < openedAt - COARSE_CLOCK_MS);
  const pathOf = (key: string) => {
    assertStorageKey(key);
    const path = join(root, ...key.split('/'));
    // Belt and braces: the key rules already keep every path inside root.
    if (!path.startsWith(root + sep)) throw new Error(`storage key escapes the root: ${key}`);
    return path;
  };

  return {
    kind: 'local',

    async put(key, data) {
      const path = pathOf(key);
      const dir = dirname(path);
      const temp = join(dir, `${TEMP_PREFIX}${instance}-${randomBytes(6).toString('hex')}`);
      // A concurrent delete's folder clean-up may remove just-made empty folders, even halfway through a recursive
      // mkdir (ENOENT from mkdir itself); make them again and retry. Once the temp file exists the folder is not empty.
      for (let attempt = 0; ; attempt++) {
        try {
          await mkdir(dir, { recursive: true });
          await writeSynced(temp, data);
          break;
        } catch (err) {
          if (attempt >= 4 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      try {
        await rename(temp, path);
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw err;
      }
      await syncDirectoryChain(dir, root);
    },

    async get(key, range) {
      const path = pathOf(key);
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return null;
        }
        const start = range ? range.start : 0;
        const end = range ? Math.min(range.end, info.size - 1) : info.size - 1;
        if (range && (start < 0 || start > end)) throw new RangeError(`range ${range.start}-${range.end} outside 0-${info.size - 1}`);
        return { key, size: info.size, modified: info.mtime, body: streamFile(handle, start, end) } satisfies StoredObject;
      } catch (err) {
        await handle.close();
        throw err;
      }
    },

    async stat(key) {
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? { key, size: info.size, modified: info.mtime } : null;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (err) {
        if (!isMissing(err)) throw err;
        return;
      }
      await removeEmptyParents(dirname(path), root);
    },

    async deletePrefix(prefix) {
      assertStoragePrefix(prefix);
      const { dir, namePrefix } = splitPrefix(root, prefix);
      for (const name of await readNames(dir)) {
        if (name.startsWith(namePrefix)) await rm(join(dir, name), { recursive: true, force: true });
      }
      if (dir !== root) await removeEmptyParents(dir, root);
    },

    async *list(prefix) {
      assertStoragePrefix(prefix);
      const { dir, namePrefix } = splitPrefix(root, prefix);
      yield* walkFiles(root, dir, namePrefix, isStaleTemp);
    },
  };
}

async function writeSynced(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    let offset = 0;
    while (offset < data.byteLength) offset += (await handle.write(data, offset)).bytesWritten;
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync `dir` and its parents up to `root`, so a fresh rename (and freshly made folders) survive a crash. */
async function syncDirectoryChain(dir: string, root: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    await syncDirectory(d);
    if (d === root || !d.startsWith(root)) return;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Windows cannot open or fsync a directory; the rename is as durable as that platform allows.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL') throw err;
  } finally {
    await handle?.close();
  }
}

function streamFile(handle: FileHandle, start: number, end: number): ReadableStream<Uint8Array> {
  let position = start;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const want = Math.min(CHUNK, end - position + 1);
      if (want <= 0) {
        await close();
        controller.close();
        return;
      }
      try {
        const buffer = new Uint8Array(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (bytesRead === 0) {
          // The file shrank under us: end the stream where the bytes end.
          await close();
          controller.close();
          return;
        }
        position += bytesRead;
        controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
      } catch (err) {
        await close().catch(() => {});
        controller.error(err);
      }
    },
    async cancel() {
      await close();
    },
  });
}

function splitPrefix(root: string, prefix: string): { dir: string; namePrefix: string } {
  const cut = prefix.lastIndexOf('/');
  const dirPart = cut < 0 ? '' : prefix.slice(0, cut);
  return { dir: dirPart ? join(root, ...dirPart.split('/')) : root, namePrefix: prefix.slice(cut + 1) };
}

async function* walkFiles(
  root: string,
  dir: string,
  namePrefix: string,
  isStaleTemp: (name: string, mtimeMs: number) => boolean,
): AsyncGenerator<StoredObjectInfo> {
  for (const name of await readNames(dir)) {
    if (!name.startsWith(namePrefix)) continue;
    const path = join(dir, name);
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      if (isMissing(err)) continue;
      throw err;
    }
    if (info.isDirectory()) {
      yield* walkFiles(root, path, '', isStaleTemp);
    } else if (name.startsWith(TEMP_PREFIX)) {
      if (isStaleTemp(name, info.mtimeMs)) await unlink(path).catch(() => {});
    } else if (info.isFile()) {
      yield { key: relative(root, path).split(sep).join('/'), size: info.size, modified: info.mtime };
    }
  }
}

async function readNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/** Drops now-empty folders between `dir` and `root` (a record's folder after its last file went). */
async function removeEmptyParents(dir: string, root: string): Promise<void> {
  for (let d = dir; d !== root && d.startsWith(root + sep); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
