/**
 * Checks an archive before anything is touched, by extracting it into a staging folder: only plain files and
 * folders under relative paths (no `..`, no absolute path, no link of any kind), no more bytes than the disk
 * has free, a manifest whose sizes and sha256 match every file and name every file, and databases that pass
 * `PRAGMA integrity_check` (on a worker). Whatever follows tar's end-of-archive marker (padding) is not read.
 * Any failure is a 400 saying what is wrong; the staging folder is then removed.
 */
import { createReadStream, existsSync, readFileSync, statfsSync } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { GalleyError } from '../errors.ts';
import { hashFile, MANIFEST_NAME, parseManifest, type BackupManifest } from './manifest.ts';
import { snapshotAndInspect } from './run-db-job.ts';

const refuse = (why: string, cause?: unknown) => new GalleyError('invalid', `The backup archive cannot be restored: ${why}.`, { cause });

/** Bytes free for an unprivileged writer on the disk holding `dir`. */
export function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

function checkEntryPath(path: string): string | undefined {
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\')) return `it holds an absolute path (${path})`;
  if (path.split('/').includes('..')) return `it holds a path that leaves its folder (${path})`;
  return undefined;
}

async function listFilesUnder(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? posix.join(prefix, entry.name) : entry.name;
    if (entry.isDirectory()) out.push(...(await listFilesUnder(root, rel)));
    else out.push(rel);
  }
  return out;
}

/** The parts of tar's Unpack stream this file drives. */
interface UnpackStream {
  write(chunk: Buffer): boolean;
  end(): unknown;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  off(event: string, fn: (...args: unknown[]) => void): unknown;
}

/** Resolves at the first of `events` on `emitter` (then stops listening). */
function firstOf(emitter: UnpackStream, events: string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.on(e, done);
  });
}

/**
 * Feeds `archive` (gzipped or plain tar) into tar's `unpack` and resolves once it has written everything out.
 * The decompressing is ours, not tar's `file:` option: tar's parser keeps every byte that comes after the
 * end-of-archive marker (two zero blocks) in one buffer it re-concatenates on each chunk, and its own gunzip
 * hands it the whole inflated file in one synchronous call, so trailing padding costs quadratic time with the
 * event loop blocked (64 MiB of zeros never finished). Here the input is pulled chunk by chunk with tar's
 * backpressure, and reading stops at tar's `eof`: whatever follows the end-of-archive marker (legal padding or
 * not) is never inflated, however long it is.
 */
async function unpackArchive(archive: string, unpack: UnpackStream): Promise<void> {
  const head = Buffer.alloc(2);
  const fh = await open(archive, 'r');
  const { bytesRead } = await fh.read(head, 0, 2, 0).finally(() => fh.close());
  if (bytesRead === 0) throw new Error('the file is empty');
  const file = createReadStream(archive);
  const gzipped = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  // node:stream and node:zlib on a restore or upload only, not at every start (issue 16)
  const [{ pipeline }, { createGunzip }] = await Promise.all([import('node:stream'), import('node:zlib')]);
  const input: Readable = gzipped ? pipeline(file, createGunzip(), () => {}) : file;

  let failure: unknown;
  let sawEnd = false;
  const onError = (err: unknown) => {
    failure ??= err;
  };
  unpack.on('error', onError);
  unpack.on('eof', () => {
    sawEnd = true;
  });
  const closed = firstOf(unpack, ['close', 'error']);
  // tar sniffs its input for gzip (it cannot be told not to; zstd and brotli are turned off by the caller):
  // a gzip stream inside ours would take tar's own unbounded path again, so it is refused
  let start: Buffer | undefined = Buffer.alloc(0);
  try {
    for await (const piece of input) {
      let chunk = piece as Buffer;
      if (start) {
        start = Buffer.concat([start, chunk]);
        if (start.length < 2) continue;
        if (start[0] === 0x1f && start[1] === 0x8b) throw new Error('it is gzipped twice');
        chunk = start;
        start = undefined;
      }
      if (sawEnd || failure) break;
      if (!unpack.write(chunk)) await firstOf(unpack, ['drain', 'eof', 'error', 'close']);
      if (sawEnd || failure) break;
    }
    if (start?.length) unpack.write(start);
  } catch (err) {
    failure ??= err;
  } finally {
    input.destroy();
    file.destroy();
  }
  // after an input error too, so the files tar is still writing are closed before the staging folder goes
  unpack.end();
  await closed;
  if (failure) throw failure;
}

/** Extracts `archive` into `staging` (created) and checks it; returns its manifest. Throws a 400 when it is unfit. */
export async function extractAndVerifyArchive(archive: string, staging: string): Promise<BackupManifest> {
  await mkdir(staging, { recursive: true });
  let problem: string | undefined;
  let budget = freeBytes(staging);
  // tar is loaded by the first restore, not at every start
  const { extract } = await import('tar');
  try {
    const unpack = extract({
      cwd: staging,
      strict: true,
      preserveOwner: false,
      // gzip only (unpackArchive inflates it): tar's own decompressors are not bounded past the archive's end
      zstd: false,
      brotli: false,
      filter: (path, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        const size = 'size' in entry ? Number(entry.size) : 0;
        problem ??= checkEntryPath(path);
        if (!problem && type !== 'File' && type !== 'OldFile' && type !== 'Directory') problem = `it holds a ${type} entry (${path}); only files and folders are allowed`;
        budget -= size;
        if (!problem && budget < 0) problem = 'it unpacks to more bytes than the disk has free';
        return problem === undefined;
      },
    }) as unknown as UnpackStream;
    await unpackArchive(archive, unpack);
  } catch (err) {
    if (!problem) throw refuse(`it is damaged or not a gzipped tar archive (${(err as Error).message})`, err);
  }
  if (problem) throw refuse(problem);
  if (!existsSync(join(staging, MANIFEST_NAME))) throw refuse(`it has no ${MANIFEST_NAME} (not a Galley backup)`);
  const manifest = parseManifest(readFileSync(join(staging, MANIFEST_NAME), 'utf8'));
  if (!manifest) throw refuse(`its ${MANIFEST_NAME} is not a Galley backup manifest`);
  const files = (await listFilesUnder(staging)).filter((f) => f !== MANIFEST_NAME);
  for (const name of Object.keys(manifest.checksums)) if (checkEntryPath(name)) throw refuse(`its manifest names ${name}`);
  const extra = files.filter((f) => !(f in manifest.checksums));
  if (extra.length > 0) throw refuse(`it holds files its manifest does not list (${extra.slice(0, 3).join(', ')})`);
  for (const [name, want] of Object.entries(manifest.checksums)) {
    const path = join(staging, name);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw refuse(`${name} is missing (the archive is truncated?)`);
    if (info.size !== want.size || (await hashFile(path)) !== want.sha256) throw refuse(`the checksum of ${name} does not match its manifest`);
  }
  if (!('data.db' in manifest.checksums)) throw refuse('it holds no data.db');
  const databases = ['data.db', 'aux.db'].filter((db) => db in manifest.checksums).map((db) => join(staging, db));
  const inspections = await snapshotAndInspect([], databases).catch((err: Error) => {
    throw refuse(`a database cannot be read as SQLite (${err.message})`, err);
  });
  for (const file of databases) {
    const integrity = inspections[file]!.integrity;
    if (integrity !== 'ok') throw refuse(`${file.split(/[\\/]/).pop()} fails its integrity check (${integrity})`);
  }
  return manifest;
}

/** Removes a staging folder (a failed check or a finished restore). */
export const removeStaging = (staging: string) => rm(staging, { recursive: true, force: true });
