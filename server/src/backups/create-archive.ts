/**
 * Makes one backup archive of a data directory, while its server (if any) goes on writing:
 * 1. take the busy marker (one backup or restore at a time; it also holds the server's file deletions back);
 * 2. snapshot data.db and aux.db (run-db-job.ts: a paced copy of the main file, on a worker or, beside a
 *    running server's connections, in a child process; `VACUUM INTO` where that cannot be), then inspect the copy;
 * 3. hard-link the local storage tree beside the copies (a copy where links cannot be made): from here on a
 *    deletion cannot take a file the snapshot references, so the marker is released;
 * 4. on the pack worker (pack-job.ts): write the manifest (sizes, sha256) and stream `manifest.json`, the
 *    databases and `storage/` through `tar` + gzip to `<name>.partial`, fsync; then rename. The archive is
 *    never whole in memory, and its hashing and compression never hold up the server's event loop.
 * A crash (kill -9) leaves `backups/.tmp-*` and `*.partial`, removed by cleanBackupLeftovers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { TEMP_PREFIX } from '../lib/storage/storage-key.ts';
import { acquireBusyMarker, BACKUPS_DIR, type BusyMarker } from './busy-marker.ts';
import { ARCHIVE_FORMAT, GALLEY_VERSION, type BackupManifest } from './manifest.ts';
import { packArchive, type PackedOn } from './run-pack-job.ts';
import type { SnapshotMethod } from './db-jobs.ts';
import { snapshotAndInspectWithMethods, type PacedCopyPlace } from './run-db-job.ts';

export interface BackupProgress {
  phase: 'snapshot' | 'files' | 'checksums' | 'archive' | 'done';
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
}

export interface CreateArchiveOptions {
  /** the data directory */
  dir: string;
  /** where the finished archive goes (a path under `<dir>/backups/` for a stored backup) */
  out: string;
  onProgress?: (p: BackupProgress) => void;
  /** the marker is already held by the caller (a restore keeping the current data first) */
  marker?: BusyMarker;
  /** file fields stored on S3 (not archived; the manifest says so) */
  s3Files?: boolean;
  busyTimeoutMs?: number;
  /**
   * Snapshot the databases with the paced copy (db-jobs.ts: bounded dirty data, so the server's commits never
   * wait behind a gigabyte of it) instead of `VACUUM INTO`: `true` in this process, only where it holds no
   * connection to the databases (the CLI's `backup create`: the copy reads the files with descriptors of its
   * own, and closing them would drop such a connection's POSIX locks); 'child-process' where it does (a
   * running server: run-snapshot-child.ts).
   */
  pacedSnapshot?: PacedCopyPlace;
  /** stops the backup: a snapshot child process is killed, the temp files removed, the promise rejects */
  signal?: AbortSignal;
}

export interface CreatedArchive {
  file: string;
  size: number;
  manifest: BackupManifest;
  durationMs: number;
  /** where the checksums and tar + gzip ran: the pack worker, or the calling thread where no worker starts */
  packedOn: PackedOn;
  /** how each database was snapshotted, by its name (data.db, aux.db) */
  snapshots: Record<string, SnapshotMethod>;
}

const DATABASES = ['data.db', 'aux.db'] as const;

/** The staging folder's prefix under backups/ (a crash leaves it; cleanBackupLeftovers removes it). */
export const STAGING_PREFIX = '.tmp-';

async function* walkFiles(root: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TEMP_PREFIX)) continue; // an upload being written
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path);
    else if (entry.isFile()) yield path;
  }
}

/** Links (or copies) every local storage file under `into`; a file deleted in between is skipped. */
async function stageStorage(storageDir: string, into: string, onFile: (size: number) => void): Promise<string[]> {
  const staged: string[] = [];
  for await (const path of walkFiles(storageDir)) {
    const rel = relative(storageDir, path);
    const target = join(into, rel);
    await mkdir(join(target, '..'), { recursive: true });
    try {
      await link(path, target).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw err;
        await copyFile(path, target); // another file system, or no hard links here
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // an orphan or upload removed meanwhile
      throw err;
    }
    staged.push(rel.split('\\').join('/'));
    onFile((await stat(target)).size);
  }
  return staged;
}

export async function createBackupArchive(opts: CreateArchiveOptions): Promise<CreatedArchive> {
  const started = Date.now();
  const progress: BackupProgress = { phase: 'snapshot', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  const marker = opts.marker ?? acquireBusyMarker(opts.dir, 'backup');
  const staging = join(opts.dir, BACKUPS_DIR, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  const partial = `${opts.out}.partial`;
  try {
    if (!existsSync(join(opts.dir, 'data.db'))) throw new Error(`${opts.dir} holds no data.db: nothing to back up`);
    await mkdir(join(staging, 'storage'), { recursive: true });
    report();
    const created = new Date().toISOString();
    const snapshots = DATABASES.filter((db) => existsSync(join(opts.dir, db))).map((db) => ({ source: join(opts.dir, db), target: join(staging, db) }));
    // the snapshots' progress: what the copies hold so far, against the sources' sizes
    const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    progress.totalBytes = snapshots.reduce((sum, s) => sum + sizeOf(s.source), 0);
    progress.totalFiles = snapshots.length;
    const watch = setInterval(() => {
      progress.bytes = Math.min(progress.totalBytes, snapshots.reduce((sum, s) => sum + sizeOf(s.target), 0));
      progress.files = snapshots.filter((s) => existsSync(s.target)).length;
      report();
    }, 250);
    let inspection;
    const snapshotMethods: Record<string, SnapshotMethod> = {};
    try {
      const taken = await snapshotAndInspectWithMethods(snapshots, [join(staging, 'data.db')], opts.busyTimeoutMs, opts.pacedSnapshot, opts.signal);
      inspection = taken.inspections[join(staging, 'data.db')]!;
      for (const s of snapshots) snapshotMethods[basename(s.source)] = taken.methods[s.source]!;
    } finally {
      clearInterval(watch);
    }
    opts.signal?.throwIfAborted();
    Object.assign(progress, { phase: 'files', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 });
    report();
    const storageFiles = await stageStorage(join(opts.dir, 'storage'), join(staging, 'storage'), (size) => {
      progress.files++;
      progress.bytes += size;
      if (progress.files % 200 === 0) report();
    });
    // every file the snapshot references is linked now: deletions may go on
    if (!opts.marker) marker.release();
    if (inspection.integrity !== 'ok') throw new Error(`the snapshot of data.db failed its integrity check: ${inspection.integrity}`);
    opts.signal?.throwIfAborted();
    const entries = [...DATABASES.filter((db) => existsSync(join(staging, db))), ...storageFiles.map((f) => `storage/${f}`)];
    // checksums, manifest, tar + gzip: on the pack worker, so the server's requests stay answered meanwhile
    const { result, packedOn } = await packArchive(
      {
        staging,
        entries,
        out: partial,
        manifest: {
          format: ARCHIVE_FORMAT,
          galleyVersion: GALLEY_VERSION,
          created,
          schemaHash: inspection.schemaHash,
          counts: { records: inspection.records, files: storageFiles.length },
          notArchived: [
            'backups/ (other archives)',
            ...(opts.s3Files ? ['file fields stored on S3 (settings.s3 is enabled): back the bucket up on its own'] : []),
          ],
        },
      },
      (p) => {
        Object.assign(progress, p);
        report();
      },
    );
    if (!result.ok) throw new Error(`writing the archive: ${result.message}`);
    await rename(partial, opts.out);
    progress.phase = 'done';
    report();
    return { file: opts.out, size: result.size, manifest: result.manifest, durationMs: Date.now() - started, packedOn, snapshots: snapshotMethods };
  } finally {
    if (!opts.marker) marker.release();
    await rm(staging, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
