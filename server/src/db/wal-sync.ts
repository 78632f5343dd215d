/**
 * Durability of the writer's commits without blocking the event loop on fsync (issue 16's durable-create target).
 *
 * With `synchronous=FULL`, SQLite fsyncs the WAL inside COMMIT, on the thread that runs it: the event loop stops for
 * the whole flush (milliseconds on this kind of disk) and no request is read meanwhile. Instead the writer connection
 * runs `synchronous=NORMAL` (COMMIT writes the WAL frames, does not sync them; checkpoints still sync the WAL before
 * and the database file after, so the file stays consistent) and the writer answers a group's jobs only after an
 * `fdatasync` of the WAL file that *started after* that COMMIT returned has finished, on libuv's thread pool. A
 * write is therefore acknowledged only once it is on disk, as with FULL, while the next group runs.
 *
 * What differs from FULL: between COMMIT and the sync, other requests can read the committed rows; a power loss in
 * that window (not a `kill -9`: the page cache survives a process) can lose a write nobody was told had succeeded.
 *
 * Syncs are shared: every caller while one is in flight waits for the next one, which starts when the current one
 * ends, so a burst of groups costs two syncs, not one each.
 */
import { close, fdatasync, fstat, open, stat } from 'node:fs';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fdatasyncAsync = promisify(fdatasync);
const fstatAsync = promisify(fstat);
const statAsync = promisify(stat);

const RECHECK_MS = 1000;

export interface WalSync {
  /** Resolves once an fdatasync of the WAL that started after this call has finished; rejects if it failed. */
  sync(): Promise<void>;
  /** Syncs done so far, and the inode of the file the last one flushed (tests). */
  count(): number;
  lastInode(): number;
  /** Waits for the syncs asked for, then closes the file. */
  close(): Promise<void>;
}

export function createWalSync(dbFile: string, opts: { recheckMs?: number } = {}): WalSync {
  const recheckMs = opts.recheckMs ?? RECHECK_MS;
  const walFile = `${dbFile}-wal`;
  let fd: number | undefined;
  let fdIno = -1;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let done = 0;
  let checkedAt = 0;
  /** the descriptor is the WAL's (the main file's is looked at again on every sync: a WAL may appear) */
  let onWal = false;

  /**
   * The WAL's descriptor, opened again when the file was replaced (a restore swaps the files; SQLite removes the WAL
   * when the last connection closes). fdatasync works on any descriptor of the file: it flushes the file, not the
   * descriptor's writes. No WAL at all means nothing is waiting in it: the main file is synced instead.
   */
  async function target(): Promise<number> {
    // SQLite replaces the WAL only when its last connection closes, which the writer's does not while it syncs:
    // the file is looked at again once a second, not on every sync (a stat per group showed in the profile)
    if (fd !== undefined && onWal && Date.now() - checkedAt < recheckMs) return fd;
    checkedAt = Date.now();
    const onDisk = await statAsync(walFile).catch(() => undefined);
    onWal = onDisk !== undefined;
    const file = onDisk ? walFile : dbFile;
    if (fd !== undefined && fdIno === (onDisk ?? (await statAsync(dbFile))).ino) return fd;
    if (fd !== undefined) await closeAsync(fd).catch(() => {});
    fd = undefined;
    const opened = await openAsync(file, 'r');
    fdIno = (await fstatAsync(opened)).ino;
    fd = opened;
    return opened;
  }

  async function syncOnce(): Promise<void> {
    await fdatasyncAsync(await target());
    done++;
  }

  const self: WalSync = {
    sync() {
      if (!running) {
        running = syncOnce().finally(() => {
          running = undefined;
        });
        return running;
      }
      // one is in flight and may have started before the caller's COMMIT: wait for the one after it
      next ??= running
        .catch(() => {})
        .then(() => {
          next = undefined;
          return self.sync();
        });
      return next;
    },
    count: () => done,
    lastInode: () => fdIno,
    async close() {
      await next?.catch(() => {});
      await running?.catch(() => {});
      if (fd !== undefined) await closeAsync(fd).catch(() => {});
      fd = undefined;
    },
  };
  return self;
}
