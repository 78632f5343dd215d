/**
 * A backup's snapshot of a WAL database that never floods the page cache: the main file copied in bounded
 * chunks, fdatasync every few MiB, with the WAL's frames up to one point in time laid over it.
 *
 * Why not `VACUUM INTO` alone: it writes the whole copy (a gigabyte) as dirty pages, and ext4 flushes them
 * with the server's next commit fsync, so writers waited up to 1.3 s behind it. Here dirty data never exceeds
 * `syncEveryBytes`.
 *
 * Why the copy is one point in time (SQLite's WAL format, https://sqlite.org/walformat.html):
 * 1. connection A begins a read: its snapshot is the main file plus the WAL's frames 1..S of the current WAL
 *    (S: the wal-index header's mxFrame, read from the -shm just before and just after the read began,
 *    identical, so no commit came in between);
 * 2. while A holds its read mark, no checkpoint writes a frame past S into the main file, and the WAL is not
 *    restarted (frames 1..S stay where they are). A checkpoint may still write frames up to S, and it skips a
 *    page whose newest frame is past S: so the main file alone is NOT the snapshot;
 * 3. so each page of the copy is the newest of frames 1..S holding it, else the main file's page (a page no
 *    frame up to S holds is not written by any checkpoint while A reads). When the WAL was wholly checkpointed
 *    as A began (nBackfill = S), the main file is the snapshot and no checkpoint can write to it (A reads at
 *    mark 0, or at S); the WAL is not read then (it may restart meanwhile);
 * 4. pages past the main file's end that no frame holds are zeros (a page SQLite allocated and freed in one
 *    statement is never written, and reads as zeros); the copy's header is set to a rollback-journal file, as
 *    `VACUUM INTO` leaves it.
 * Where any of this cannot be seen (not WAL, no -shm, a frame with other salts) it answers why, and the caller
 * falls back to `VACUUM INTO`.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { openSqliteHandle, type SqliteHandle } from '../db/driver.ts';

export interface PacedCopyOptions {
  /** bytes per read/write */
  chunkBytes: number;
  /** fdatasync the copy after this many bytes (the most dirty data the copy ever leaves) */
  syncEveryBytes: number;
  /** a pause after each fdatasync, so the server's commit fsyncs get the disk in between (worker threads only) */
  pauseMs: number;
  /** called after each fdatasync with the bytes copied so far (a child process reports its progress through it) */
  onSynced?: (copiedBytes: number) => void;
  /** pause (and wait between attempts to pin the read) on the main thread too: a child process of its own has no event loop anyone waits on */
  pauseMainThread?: boolean;
}

export const PACED_COPY_DEFAULTS: PacedCopyOptions = {
  chunkBytes: 1024 * 1024,
  syncEveryBytes: 2 * 1024 * 1024,
  pauseMs: 2,
};

export type PacedSnapshotResult = { copied: true; bytes: number } | { copied: false; reason: string };

/** The wal-index header (the first of its two copies) and the checkpoint info, from the -shm file. */
interface WalIndex {
  header: Buffer;
  mxFrame: number;
  nPage: number;
  salt: string;
  nBackfill: number;
}

const HEADER_BYTES = 48;
const CKPT_INFO_OFFSET = 2 * HEADER_BYTES;

function readWalIndex(shmFd: number): WalIndex | undefined {
  const buf = Buffer.alloc(CKPT_INFO_OFFSET + 4);
  if (readSync(shmFd, buf, 0, buf.length, 0) !== buf.length) return undefined;
  const header = buf.subarray(0, HEADER_BYTES);
  // a writer updates copy 2, then copy 1: different copies mean a commit is half-way; isInit (byte 12) is 1
  if (!header.equals(buf.subarray(HEADER_BYTES, 2 * HEADER_BYTES)) || header[12] !== 1) return undefined;
  const le = endianness() === 'LE'; // the wal-index is in the machine's byte order
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  return { header: Buffer.from(header), mxFrame: u32(16), nPage: u32(20), salt: header.subarray(32, 40).toString('hex'), nBackfill: u32(CKPT_INFO_OFFSET) };
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Sleeps on a worker thread; on the main thread (Node running inline) it never blocks the event loop longer, unless told so. */
function sleep(ms: number, mainThreadToo = false): void {
  if (ms > 0 && (mainThreadToo || !isMainThread)) Atomics.wait(pause, 0, 0, ms);
}

/**
 * Starts a read transaction on `a` at a known WAL frame: the -shm header did not change around its start.
 * Between attempts it waits a few ms for the commit in progress (`mainThreadToo`: also on a main thread).
 */
function beginPinnedRead(a: SqliteHandle, shmFd: number, mainThreadToo = false): WalIndex | string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const before = readWalIndex(shmFd);
    if (!before) return 'no readable wal-index (-shm)';
    a.exec('BEGIN');
    a.prepare('SELECT count(*) FROM sqlite_master').all(); // the read transaction starts here
    const after = readWalIndex(shmFd);
    if (after?.header.equals(before.header)) return after;
    a.exec('COMMIT');
    sleep(1 + (attempt % 5), mainThreadToo);
  }
  return 'the WAL kept changing around the start of the read';
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/**
 * Page number → the WAL file offset of its newest frame among 1..S. Every one of those frames must carry the
 * WAL's salts as the wal-index has them (frames 1..S of the current WAL); undefined when one does not.
 */
function framesUpTo(walFd: number, pinned: WalIndex, pageSize: number): Map<number, number> | undefined {
  const newest = new Map<number, number>();
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  const salt = Buffer.from(pinned.salt, 'hex');
  for (let frame = 1; frame <= pinned.mxFrame; frame++) {
    const at = WAL_HEADER_BYTES + (frame - 1) * (FRAME_HEADER_BYTES + pageSize);
    if (readSync(walFd, header, 0, FRAME_HEADER_BYTES, at) !== FRAME_HEADER_BYTES) return undefined;
    if (!header.subarray(8, 16).equals(salt)) return undefined;
    newest.set(header.readUInt32BE(0), at + FRAME_HEADER_BYTES);
  }
  return newest;
}

/** Reads exactly `length` bytes at `position` (zeros past the end of the file). */
function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buf, offset + done, length - done, position + done);
    if (got <= 0) break;
    done += got;
  }
  buf.fill(0, offset + done, offset + length);
}

/** The snapshot's pages to `target`: the main file's, or the newest frame's up to S; fdatasync every few MiB. */
function copyPaced(files: { db: number; wal?: number }, target: string, pages: number, pageSize: number, frames: Map<number, number>, o: PacedCopyOptions): void {
  const bytes = pages * pageSize;
  const to = openSync(target, 'wx');
  try {
    const chunk = Math.max(pageSize, Math.floor(o.chunkBytes / pageSize) * pageSize);
    const buf = Buffer.alloc(chunk);
    let unsynced = 0;
    for (let at = 0; at < bytes; ) {
      const length = Math.min(chunk, bytes - at);
      readFully(files.db, buf, 0, length, at);
      for (let page = at / pageSize + 1, off = 0; off < length; page++, off += pageSize) {
        const frameAt = frames.get(page);
        if (frameAt !== undefined) readFully(files.wal!, buf, off, pageSize, frameAt);
      }
      if (at === 0) {
        // bytes 18-19: the file format's write and read versions, 2 (WAL) in the source; 1 as VACUUM INTO writes
        buf[18] = 1;
        buf[19] = 1;
      }
      for (let done = 0; done < length; ) done += writeSync(to, buf, done, length - done, at + done);
      at += length;
      unsynced += length;
      if (unsynced >= o.syncEveryBytes) {
        fdatasyncSync(to);
        unsynced = 0;
        o.onSynced?.(at);
        sleep(o.pauseMs, o.pauseMainThread);
      }
    }
    fsyncSync(to);
  } finally {
    closeSync(to);
  }
}

/**
 * Copies `source` (a WAL database other processes may be writing) to `target` as one point in time, paced.
 * `{copied: false}` leaves no target behind and says why (the caller uses VACUUM INTO then).
 *
 * Only where this process holds no other connection to `source` (the CLI, a child process): this reads the
 * database file, its -wal and its -shm with descriptors of its own, and closing a descriptor drops every POSIX
 * lock the process holds on that file, SQLite's included. So they are closed only after this function's own
 * connection; a server's connections in the same process would lose their locks.
 */
export function pacedSnapshot(source: string, target: string, busyTimeoutMs: number, o: PacedCopyOptions = PACED_COPY_DEFAULTS): PacedSnapshotResult {
  const fds: number[] = [];
  const a = openSqliteHandle(source);
  try {
    a.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const mode = String(Object.values(a.prepare('PRAGMA journal_mode').all()[0] ?? {})[0] ?? '');
    if (mode !== 'wal') return { copied: false, reason: `journal_mode is ${mode}, not wal` };
    const open = (path: string) => {
      const fd = openSync(path, 'r');
      fds.push(fd);
      return fd;
    };
    let shmFd: number;
    try {
      shmFd = open(`${source}-shm`);
    } catch {
      return { copied: false, reason: 'no -shm file beside the database' };
    }
    const dbFd = open(source);
    const pinned = beginPinnedRead(a, shmFd, o.pauseMainThread);
    if (typeof pinned === 'string') return { copied: false, reason: pinned };
    const pageCount = Number(Object.values(a.prepare('PRAGMA page_count').all()[0] ?? {})[0]);
    const pageSize = Number(Object.values(a.prepare('PRAGMA page_size').all()[0] ?? {})[0]);
    if (pinned.nPage !== 0 && pinned.nPage !== pageCount) return { copied: false, reason: `page_count ${pageCount} differs from the wal-index's ${pinned.nPage}` };
    let frames = new Map<number, number>();
    let walFd: number | undefined;
    if (pinned.nBackfill < pinned.mxFrame) {
      walFd = open(`${source}-wal`);
      const found = framesUpTo(walFd, pinned, pageSize);
      if (!found) return { copied: false, reason: `the WAL's frames up to ${pinned.mxFrame} do not all carry its salts` };
      frames = found;
    }
    copyPaced({ db: dbFd, wal: walFd }, target, pageCount, pageSize, frames, o);
    return { copied: true, bytes: pageCount * pageSize };
  } finally {
    if (a.inTransaction) a.exec('COMMIT');
    a.close();
    for (const fd of fds) closeSync(fd);
  }
}
