/**
 * A running server's backup, made in a child process of its own (run-backup-child.ts starts it): the whole
 * archive job (archive-job.ts) runs here, so the server only waits for it.
 * - The paced copy (paced-snapshot.ts) reads the database files with descriptors of its own, and closing them
 *   would drop the POSIX locks the server's connections hold on those files in the same process.
 * - sha256, tar and gzip of a gigabyte cost seconds of CPU: on a worker of the server they still shared its
 *   process (its allocator, its GC, its nice value), and its writes waited behind them. Here they run at a lower
 *   priority than the server, as `galley backup create` does.
 *
 * Protocol, one JSON object a line: the parent writes the job on stdin; the child answers `{ready: true}`, then
 * `{progress}` (at most every 100 ms, and after each fdatasync of a copy), `{staged: true}` once the storage
 * tree is linked (the parent ends its deletion hold), then `{done: result}`, and exits. The child removes the
 * staging folder itself (the parent's event loop is spared a tree of unlinks); the parent renames the archive.
 * The copy runs synchronously, so the child would not hear its stdin close: at each fdatasync, and every second
 * otherwise, it checks that its parent is still the process that started it and that its stdout still has a
 * reader (else EPIPE), and exits when not — a server killed with -9 leaves no backup running for long (the next
 * start removes what it left, backup-files.ts).
 */
import { rmSync, writeSync } from 'node:fs';
import { runArchiveJob, type ArchiveJob, type ArchiveJobDone, type BackupProgress } from './archive-job.ts';
import { runDbJob } from './db-jobs.ts';
import { lowerProcessPriority } from './lower-priority.ts';

export type BackupChildResult = ({ ok: true } & ArchiveJobDone) | { ok: false; message: string };

export type BackupChildMessage = { ready: true } | { progress: BackupProgress } | { staged: true } | { done: BackupChildResult };

/** Set (to 'archive') when the compiled binary starts itself as this child (cli/src/main.ts reads it). */
export const BACKUP_CHILD_ENV = 'GALLEY_BACKUP_CHILD';

/** Exit code of a child whose parent is gone. */
const ORPHANED = 3;
/** How often progress goes to the parent (a new phase goes at once). */
const PROGRESS_EVERY_MS = 100;

/** Writes one line to fd 1 synchronously; false when nobody reads it any more. */
function send(message: BackupChildMessage): boolean {
  const line = Buffer.from(`${JSON.stringify(message)}\n`);
  for (let at = 0; at < line.length; ) {
    try {
      at += writeSync(1, line, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return false;
    }
  }
  return true;
}

function readJob(): Promise<ArchiveJob> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      process.stdin.removeAllListeners();
      process.stdin.pause();
      try {
        resolve(JSON.parse(buffered.slice(0, end)) as ArchiveJob);
      } catch (err) {
        reject(err as Error);
      }
    });
    // the parent went away before sending the job (it closes stdin once the job is written)
    process.stdin.on('end', () => process.exit(ORPHANED));
  });
}

/** The child's whole life: job in, archive written, result out, exit. */
export async function runBackupChild(): Promise<void> {
  const parent = process.ppid;
  lowerProcessPriority();
  const stayOrExit = () => {
    if (process.ppid !== parent) process.exit(ORPHANED);
  };
  if (!send({ ready: true })) process.exit(ORPHANED);
  const job = await readJob();
  const watch = setInterval(stayOrExit, 1000);
  let lastProgress = 0;
  let lastPhase = '';
  const sendOrExit = (message: BackupChildMessage) => {
    if (!send(message)) process.exit(ORPHANED);
  };
  let result: BackupChildResult;
  try {
    const { runPackJob } = await import('./pack-job.ts');
    const done = await runArchiveJob(
      job,
      {
        // on this thread: a child of its own has no event loop anyone waits on, so the copy pauses here
        snapshot: async (dbJob, onCopied) =>
          runDbJob(dbJob, {
            onSynced() {
              stayOrExit();
              onCopied();
            },
          }),
        pack: (packJob, onProgress) => runPackJob(packJob, onProgress),
      },
      {
        progress(p) {
          const now = Date.now();
          if (p.phase === lastPhase && now - lastProgress < PROGRESS_EVERY_MS) return;
          lastPhase = p.phase;
          lastProgress = now;
          stayOrExit();
          sendOrExit({ progress: p });
        },
        staged: () => sendOrExit({ staged: true }),
      },
    );
    result = { ok: true, ...done };
  } catch (err) {
    result = { ok: false, message: err instanceof Error ? err.message : String(err) };
  } finally {
    clearInterval(watch);
    rmSync(job.staging, { recursive: true, force: true });
  }
  send({ done: result });
  process.exit(0);
}
