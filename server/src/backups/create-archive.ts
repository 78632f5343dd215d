/**
 * Makes one backup archive of a data directory, while its server (if any) goes on writing:
 * 1. take the busy marker (one backup or restore at a time; it also holds the server's file deletions back);
 * 2. the archive job (archive-job.ts): snapshot data.db and aux.db and inspect the copy, hard-link the local
 *    storage tree beside them (then the marker is released: a deletion can no longer take a file the snapshot
 *    references), checksums, manifest and `tar` + gzip to `<name>.partial`, fsynced;
 * 3. rename it into place.
 * Where the job runs: a running server hands it whole to a child process (run-backup-child.ts, backup-child.ts),
 * so the server's process only waits for it; the CLI runs it in its own process (the snapshot and the pack on
 * workers). Where no child can start (Node running the .ts sources) the server runs it in its own process too,
 * with `VACUUM INTO` for the snapshots. The archive is never whole in memory.
 * A crash (kill -9) leaves `backups/.tmp-*` and `*.partial`, removed by cleanBackupLeftovers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runArchiveJob, type ArchiveJob, type ArchiveJobDone, type BackupProgress } from './archive-job.ts';
import { acquireBusyMarker, BACKUPS_DIR, type BusyMarker } from './busy-marker.ts';
import type { SnapshotMethod } from './db-jobs.ts';
import type { BackupManifest } from './manifest.ts';
import { archiveInChild } from './run-backup-child.ts';
import { runDbJobAside } from './run-db-job.ts';
import { packArchive, type PackedOn } from './run-pack-job.ts';

export type { BackupProgress } from './archive-job.ts';

/**
 * Where a backup's snapshots are the paced copy (bounded dirty data, so the server's commits never wait behind a
 * gigabyte of it; paced-snapshot.ts): `true` in this process, only where it holds no connection to the databases
 * (the CLI: the copy reads the files with descriptors of its own, and closing them would drop such a
 * connection's POSIX locks); 'child-process' for a running server, which also packs there; false: `VACUUM INTO`.
 */
export type PacedCopyPlace = boolean | 'child-process';

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
  pacedSnapshot?: PacedCopyPlace;
  /** stops the backup: a child process is killed, a pack worker terminated, the temp files removed, the promise rejects */
  signal?: AbortSignal;
}

export interface CreatedArchive {
  file: string;
  size: number;
  manifest: BackupManifest;
  durationMs: number;
  /** where the checksums and tar + gzip ran: a server's backup child, the pack worker, or the calling thread */
  packedOn: PackedOn | 'child-process';
  /** how each database was snapshotted, by its name (data.db, aux.db) */
  snapshots: Record<string, SnapshotMethod>;
}

/** The staging folder's prefix under backups/ (a crash leaves it; cleanBackupLeftovers removes it). */
export const STAGING_PREFIX = '.tmp-';

/** The job in this process: the snapshot and the pack each on a worker (inline where none can start). */
async function archiveHere(job: ArchiveJob, onProgress: (p: BackupProgress) => void, onStaged: () => void, signal?: AbortSignal): Promise<ArchiveJobDone & { packedOn: PackedOn }> {
  let packedOn: PackedOn = 'worker';
  const done = await runArchiveJob(
    job,
    {
      snapshot: (dbJob) => runDbJobAside(dbJob),
      pack: async (packJob, onPackProgress) => {
        const packed = await packArchive(packJob, onPackProgress, signal);
        packedOn = packed.packedOn;
        return packed.result;
      },
    },
    { progress: onProgress, staged: onStaged },
    signal,
  );
  return { ...done, packedOn };
}

export async function createBackupArchive(opts: CreateArchiveOptions): Promise<CreatedArchive> {
  const started = Date.now();
  const report = (p: BackupProgress) => opts.onProgress?.(p);
  const marker = opts.marker ?? acquireBusyMarker(opts.dir, 'backup');
  // every file the snapshot references is linked: deletions may go on (a caller's marker is the caller's)
  const staged = () => {
    if (!opts.marker) marker.release();
  };
  const staging = join(opts.dir, BACKUPS_DIR, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  const partial = `${opts.out}.partial`;
  try {
    if (!existsSync(join(opts.dir, 'data.db'))) throw new Error(`${opts.dir} holds no data.db: nothing to back up`);
    await mkdir(staging, { recursive: true });
    const job: ArchiveJob = { dir: opts.dir, staging, partial, busyTimeoutMs: opts.busyTimeoutMs ?? 5000, pacedCopy: opts.pacedSnapshot === true, s3Files: opts.s3Files ?? false };
    let made: ArchiveJobDone & { packedOn: CreatedArchive['packedOn'] };
    if (opts.pacedSnapshot === 'child-process') {
      const outcome = await archiveInChild({ ...job, pacedCopy: true }, { signal: opts.signal, onProgress: report, onStaged: staged });
      if (outcome.started) {
        if (!outcome.result.ok) throw new Error(outcome.result.message);
        made = { ...outcome.result, packedOn: 'child-process' };
      } else {
        // this process holds connections to the databases: `VACUUM INTO`, which says why in the snapshot methods
        made = await archiveHere(job, report, staged, opts.signal);
        for (const db of Object.keys(made.snapshots)) made.snapshots[db] = { method: 'vacuum-into', reason: outcome.reason };
      }
    } else made = await archiveHere(job, report, staged, opts.signal);
    opts.signal?.throwIfAborted();
    await rename(partial, opts.out);
    report({ phase: 'done', bytes: made.manifest.counts.bytes, totalBytes: made.manifest.counts.bytes, files: made.manifest.counts.files, totalFiles: made.manifest.counts.files });
    return { file: opts.out, size: made.size, manifest: made.manifest, durationMs: Date.now() - started, packedOn: made.packedOn, snapshots: made.snapshots };
  } finally {
    if (!opts.marker) marker.release();
    await rm(staging, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
