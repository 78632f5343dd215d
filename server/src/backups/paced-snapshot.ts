/**
 * A backup's snapshot of a WAL database that never floods the page cache: the main file copied in bounded
 * chunks, fdatasync every few MiB, inside a read transaction that pins one point in time.
 *
 * Why not `VACUUM INTO` alone: it writes the whole copy (a gigabyte) as dirty pages, and ext4 flushes them
 * with the server's next commit fsync, so writers waited up to 1.3 s behind it. Here dirty data never exceeds
 * `syncEveryBytes`.
 *
 * Why the main file is the snapshot (SQLite's WAL rules, https://sqlite.org/walformat.html):
 * 1. connection A begins a read: its snapshot is the WAL up to frame S (the wal-index header's mxFrame when it
 *    began; read from the -shm file just before and just after, identical, so no commit came in between);
 * 2. while A holds its read mark, no checkpoint copies a frame past S into the main file (a reader at mark 0,
 *    taken when the WAL was wholly checkpointed, stops every backfill; the WAL can then restart, which
 *    changes its salts);
 * 3. connection B runs passive checkpoints (they never block writers) until the main file holds every frame up
 *    to S (nBackfill ≥ S, or the salts changed: the mark-0 case, the file untouched since A began);
 * 4. then the first `page_count` pages of the main file are exactly A's snapshot; copied, and the copy's
 *    header set to a rollback-journal file, as `VACUUM INTO` leaves it.
 * Where any of this cannot be seen (no -shm file: not WAL, or another VFS; A's mark below S; a checkpoint
 * that does not get there in time) it answers why, and the caller falls back to `VACUUM INTO`.
 */
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
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
  /** how long passive checkpoints may take to bring the main file up to the snapshot */
  checkpointWaitMs: number;
}

export const PACED_COPY_DEFAULTS: PacedCopyOptions = {
  chunkBytes: 1024 * 1024,
  syncEveryBytes: 2 * 1024 * 1024,
  pauseMs: 2,
  checkpointWaitMs: 10_000,
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
/** Sleeps on a worker thread; on the main thread (Node running inline) it never blocks the event loop longer. */
function sleep(ms: number): void {
  if (ms > 0 && !isMainThread) Atomics.wait(pause, 0, 0, ms);
}

/** Starts a read transaction on `a` at a known WAL frame: the -shm header did not change around its start. */
function beginPinnedRead(a: SqliteHandle, shmFd: number): WalIndex | string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const before = readWalIndex(shmFd);
    if (!before) return 'no readable wal-index (-shm)';
    a.exec('BEGIN');
    a.prepare('SELECT count(*) FROM sqlite_master').all(); // the read transaction starts here
    const after = readWalIndex(shmFd);
    if (after?.header.equals(before.header)) return after;
    a.exec('COMMIT');
    sleep(1 + (attempt % 5));
  }
  return 'the WAL kept changing around the start of the read';
}

function copyPaced(from: number, source: string, target: string, bytes: number, o: PacedCopyOptions): void {
  if (fstatSync(from).size < bytes) throw new Error(`${source} is shorter than its snapshot`);
  const to = openSync(target, 'wx');
  try {
    const buf = Buffer.alloc(o.chunkBytes);
    let unsynced = 0;
    for (let at = 0; at < bytes; ) {
      const want = Math.min(buf.length, bytes - at);
      const got = readSync(from, buf, 0, want, at);
      if (got <= 0) throw new Error(`${source} ended at ${at} of ${bytes} bytes`);
      if (at === 0) {
        // bytes 18-19: the file format's write and read versions, 2 (WAL) in the source; 1 as VACUUM INTO writes
        buf[18] = 1;
        buf[19] = 1;
      }
      for (let done = 0; done < got; ) done += writeSync(to, buf, done, got - done, at + done);
      at += got;
      unsynced += got;
      if (unsynced >= o.syncEveryBytes) {
        fdatasyncSync(to);
        unsynced = 0;
        sleep(o.pauseMs);
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
 * database file and its -shm with descriptors of its own, and closing a descriptor drops every POSIX lock the
 * process holds on that file, SQLite's included. So they are closed only after this function's own two
 * connections; a server's connections in the same process would lose their locks.
 */
export function pacedSnapshot(source: string, target: string, busyTimeoutMs: number, o: PacedCopyOptions = PACED_COPY_DEFAULTS): PacedSnapshotResult {
  const fds: number[] = [];
  const a = openSqliteHandle(source);
  let b: SqliteHandle | undefined;
  try {
    a.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const mode = String(Object.values(a.prepare('PRAGMA journal_mode').all()[0] ?? {})[0] ?? '');
    if (mode !== 'wal') return { copied: false, reason: `journal_mode is ${mode}, not wal` };
    let shmFd: number;
    try {
      shmFd = openSync(`${source}-shm`, 'r');
    } catch {
      return { copied: false, reason: 'no -shm file beside the database' };
    }
    fds.push(shmFd);
    const sourceFd = openSync(source, 'r');
    fds.push(sourceFd);
    const pinned = beginPinnedRead(a, shmFd);
    if (typeof pinned === 'string') return { copied: false, reason: pinned };
    const pageCount = Number(Object.values(a.prepare('PRAGMA page_count').all()[0] ?? {})[0]);
    const pageSize = Number(Object.values(a.prepare('PRAGMA page_size').all()[0] ?? {})[0]);
    if (pinned.nPage !== 0 && pinned.nPage !== pageCount) return { copied: false, reason: `page_count ${pageCount} differs from the wal-index's ${pinned.nPage}` };
    b = openSqliteHandle(source);
    b.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const deadline = Date.now() + o.checkpointWaitMs;
    for (;;) {
      b.prepare('PRAGMA wal_checkpoint(PASSIVE)').all();
      const now = readWalIndex(shmFd);
      if (now && (now.salt !== pinned.salt || now.nBackfill >= pinned.mxFrame)) break;
      if (Date.now() > deadline) return { copied: false, reason: `the main file did not reach frame ${pinned.mxFrame} of the WAL in ${o.checkpointWaitMs} ms` };
      sleep(20);
    }
    copyPaced(sourceFd, source, target, pageCount * pageSize, o);
    return { copied: true, bytes: pageCount * pageSize };
  } finally {
    if (a.inTransaction) a.exec('COMMIT');
    a.close();
    b?.close();
    for (const fd of fds) closeSync(fd);
  }
}
