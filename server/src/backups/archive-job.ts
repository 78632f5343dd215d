/**
 * The work of one backup archive, after the busy marker is taken and before the archive is renamed into place
 * (create-archive.ts does both): snapshot data.db and aux.db into a staging folder and inspect the copy, hard-link
 * the local storage tree beside them (then `staged()`: every file the snapshot references is kept, deletions may
 * go on), then checksums, manifest and `tar` + gzip to `<name>.partial`. The same steps run in a running server's
 * backup child process (backup-child.ts: everything on its main thread) and in the calling process (the CLI, or
 * where no child can start: the snapshot and the pack on workers); `ArchiveSteps` says how each heavy step runs.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { TEMP_PREFIX } from '../lib/storage/storage-key.ts';
import type { DbJob, DbJobResult, SnapshotMethod } from './db-jobs.ts';
import { ARCHIVE_FORMAT, GALLEY_VERSION, type BackupManifest } from './manifest.ts';
import type { PackJob, PackProgress, PackResult } from './pack-job.ts';

export interface BackupProgress {
  phase: 'snapshot' | 'files' | 'checksums' | 'archive' | 'done';
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
}

export interface ArchiveJob {
  /** the data directory */
  dir: string;
  /** an empty folder under `<dir>/backups/` (the caller removes it afterwards) */
  staging: string;
  /** the archive being written (`<name>.partial`; the caller renames it) */
  partial: string;
  busyTimeoutMs: number;
  /** snapshot with the paced copy rather than `VACUUM INTO` (db-jobs.ts says where it may run) */
  pacedCopy: boolean;
  /** file fields stored on S3 (not archived; the manifest says so) */
  s3Files: boolean;
}

/** How the two heavy steps run here: on workers of the calling process, or inline in the backup child. */
export interface ArchiveSteps {
  /** snapshots and inspections (db-jobs.ts); `onCopied` may be called while a copy runs (its progress) */
  snapshot(job: DbJob, onCopied: () => void): Promise<DbJobResult>;
  /** checksums, manifest, tar + gzip (pack-job.ts) */
  pack(job: PackJob, onProgress: (p: PackProgress) => void): Promise<PackResult>;
}

export interface ArchiveEvents {
  progress(p: BackupProgress): void;
  /** every file the snapshot references is staged: the busy marker's deletion hold may end */
  staged(): void;
}

export interface ArchiveJobDone {
  manifest: BackupManifest;
  /** the archive's bytes */
  size: number;
  /** how each database was snapshotted, by its name (data.db, aux.db) */
  snapshots: Record<string, SnapshotMethod>;
}

const DATABASES = ['data.db', 'aux.db'] as const;

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

/** Runs the job; throws what went wrong (the partial archive and the staging folder are the caller's to remove). */
export async function runArchiveJob(job: ArchiveJob, steps: ArchiveSteps, events: ArchiveEvents, signal?: AbortSignal): Promise<ArchiveJobDone> {
  const progress: BackupProgress = { phase: 'snapshot', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 };
  const report = () => events.progress({ ...progress });
  await mkdir(join(job.staging, 'storage'), { recursive: true });
  const created = new Date().toISOString();
  const snapshots = DATABASES.filter((db) => existsSync(join(job.dir, db))).map((db) => ({ source: join(job.dir, db), target: join(job.staging, db) }));
  // the snapshots' progress: what the copies hold so far, against the sources' sizes
  const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  progress.totalBytes = snapshots.reduce((sum, s) => sum + sizeOf(s.source), 0);
  progress.totalFiles = snapshots.length;
  report();
  const reportCopied = () => {
    progress.bytes = Math.min(progress.totalBytes, snapshots.reduce((sum, s) => sum + sizeOf(s.target), 0));
    progress.files = snapshots.filter((s) => existsSync(s.target)).length;
    report();
  };
  // a worker's copy leaves this event loop free; a copy on this thread (the child) calls reportCopied itself
  const watch = setInterval(reportCopied, 250);
  const dataCopy = join(job.staging, 'data.db');
  let taken: DbJobResult;
  try {
    taken = await steps.snapshot({ snapshots, inspect: [dataCopy], busyTimeoutMs: job.busyTimeoutMs, pacedCopy: job.pacedCopy }, reportCopied);
  } finally {
    clearInterval(watch);
  }
  if (!taken.ok) throw new Error(taken.message);
  const inspection = taken.inspections[dataCopy]!;
  const methods: Record<string, SnapshotMethod> = {};
  for (const s of snapshots) methods[basename(s.source)] = taken.snapshots[s.source]!;
  signal?.throwIfAborted();
  Object.assign(progress, { phase: 'files', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 });
  report();
  const storageFiles = await stageStorage(join(job.dir, 'storage'), join(job.staging, 'storage'), (size) => {
    progress.files++;
    progress.bytes += size;
    if (progress.files % 200 === 0) report();
  });
  events.staged();
  if (inspection.integrity !== 'ok') throw new Error(`the snapshot of data.db failed its integrity check: ${inspection.integrity}`);
  signal?.throwIfAborted();
  const entries = [...DATABASES.filter((db) => existsSync(join(job.staging, db))), ...storageFiles.map((f) => `storage/${f}`)];
  const packed = await steps.pack(
    {
      staging: job.staging,
      entries,
      out: job.partial,
      manifest: {
        format: ARCHIVE_FORMAT,
        galleyVersion: GALLEY_VERSION,
        created,
        schemaHash: inspection.schemaHash,
        counts: { records: inspection.records, files: storageFiles.length },
        notArchived: ['backups/ (other archives)', ...(job.s3Files ? ['file fields stored on S3 (settings.s3 is enabled): back the bucket up on its own'] : [])],
      },
    },
    (p) => {
      Object.assign(progress, p);
      report();
    },
  );
  if (!packed.ok) throw new Error(`writing the archive: ${packed.message}`);
  return { manifest: packed.manifest, size: packed.size, snapshots: methods };
}
