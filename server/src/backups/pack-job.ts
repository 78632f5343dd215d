/**
 * The CPU-heavy end of a backup, off the thread that answers requests: sha256 of every staged file, the
 * manifest, and `tar` + gzip of the staging folder to `<archive>.partial` (fdatasynced every 2 MiB, fsynced at
 * the end). Run inline by a server's backup child process (backup-child.ts), on the pack worker of the calling
 * process (pack-worker.ts, started by run-pack-job.ts), or inline where no worker can start (Node running the .ts
 * sources). Progress goes back as plain objects, at most every 100 ms.
 */
import { open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar } from 'tar';
import { hashFile, MANIFEST_NAME, type BackupManifest } from './manifest.ts';

export interface PackJob {
  /** the staging folder holding the databases' snapshots and storage/ */
  staging: string;
  /** paths under `staging`, in archive order (the manifest goes first, written by the job) */
  entries: string[];
  /** the archive being written (`<name>.partial`) */
  out: string;
  /** the manifest without what the job computes (checksums, counts.bytes) */
  manifest: Omit<BackupManifest, 'checksums' | 'counts'> & { counts: Omit<BackupManifest['counts'], 'bytes'> };
}

export interface PackProgress {
  phase: 'checksums' | 'archive';
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
}

/** The archive is fdatasynced after every 2 MiB written (pacedFileWriter), as the paced snapshot is. */
export const ARCHIVE_SYNC_BYTES = 2 * 1024 * 1024;

export type PackResult = { ok: true; manifest: BackupManifest; size: number } | { ok: false; message: string };

/**
 * The archive's bytes to `path`, fdatasync after every `syncEveryBytes`: the page cache never holds more of the
 * archive unwritten than that, so the server's commit fsyncs never queue behind hundreds of megabytes of it
 * (ext4 flushes another file's dirty data with a commit's fsync). A write waits for the sync (backpressure).
 */
export function pacedFileWriter(path: string, syncEveryBytes: number): Writable {
  let fh: FileHandle | undefined;
  let unsynced = 0;
  return new Writable({
    construct(done) {
      open(path, 'w').then((h) => {
        fh = h;
        done();
      }, done);
    },
    write(chunk: Buffer, _enc, done) {
      (async () => {
        for (let at = 0; at < chunk.length; ) at += (await fh!.write(chunk, at, chunk.length - at)).bytesWritten;
        unsynced += chunk.length;
        if (unsynced >= syncEveryBytes) {
          unsynced = 0;
          await fh!.datasync();
        }
      })().then(() => done(), done);
    },
    final(done) {
      fh!.sync().then(() => done(), done);
    },
    destroy(err, done) {
      if (!fh) return done(err);
      fh.close().then(
        () => done(err),
        () => done(err),
      );
    },
  });
}

/** Counts what passes through. */
function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/** `signal` stops the job between files and inside the stream (the partial archive is the caller's to remove). */
export async function runPackJob(job: PackJob, onProgress: (p: PackProgress) => void = () => undefined, signal?: AbortSignal): Promise<PackResult> {
  try {
    const sizes = await Promise.all(job.entries.map(async (entry) => (await stat(join(job.staging, entry))).size));
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const progress: PackProgress = { phase: 'checksums', bytes: 0, totalBytes, files: 0, totalFiles: job.entries.length };
    let lastReport = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!force && now - lastReport < 100) return;
      lastReport = now;
      onProgress({ ...progress });
    };
    report(true);
    const checksums: BackupManifest['checksums'] = {};
    for (const [i, entry] of job.entries.entries()) {
      signal?.throwIfAborted();
      checksums[entry] = { size: sizes[i]!, sha256: await hashFile(join(job.staging, entry)) };
      progress.files++;
      progress.bytes += sizes[i]!;
      report();
    }
    const manifest: BackupManifest = { ...job.manifest, counts: { ...job.manifest.counts, bytes: totalBytes }, checksums };
    await writeFile(join(job.staging, MANIFEST_NAME), JSON.stringify(manifest, null, 2));
    Object.assign(progress, { phase: 'archive', bytes: 0, files: 0 });
    report(true);
    // tar writes plain tar; node's zlib (level 1) compresses it: tar's own gzip ran several times slower here
    const tarStream = createTar(
      {
        cwd: job.staging,
        portable: true,
        // 1 MiB reads: tar's default (16 MiB buffers) archived a 110 MB database twice as slowly here
        maxReadSize: 1024 * 1024,
        onWriteEntry: (entry) => {
          if (entry.type === 'File' && entry.path !== MANIFEST_NAME) progress.files++;
        },
      },
      [MANIFEST_NAME, ...job.entries],
    );
    // bytes: the plain tar stream (the files' bytes and their headers), capped at the files' total
    let tarBytes = 0;
    let written = 0;
    await pipeline(
      tarStream,
      counter((n) => {
        tarBytes += n;
        progress.bytes = Math.min(tarBytes, totalBytes);
        report();
      }),
      createGzip({ level: 1 }),
      counter((n) => (written += n)),
      pacedFileWriter(job.out, ARCHIVE_SYNC_BYTES),
      signal ? { signal } : {},
    );
    progress.bytes = totalBytes;
    report(true);
    return { ok: true, manifest, size: written };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
