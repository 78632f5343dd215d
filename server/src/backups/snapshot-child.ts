/**
 * A running server's backup snapshot, in a child process of its own (run-snapshot-child.ts starts it): the
 * paced copy (paced-snapshot.ts) reads the database files with descriptors of its own, and closing them would
 * drop the POSIX locks the server's connections hold on those files in the same process. The job is the one
 * the CLI's `backup create` runs (db-jobs.ts with the paced copy, `VACUUM INTO` where it cannot be made).
 *
 * Protocol, one JSON object a line: the parent writes the job on stdin; the child answers `{ready: true}`,
 * then `{synced: {source, bytes}}` after each fdatasync of a copy, then `{done: result}`, and exits.
 * The job runs synchronously, so the child would not hear its stdin close: at each fdatasync it checks that
 * its parent is still the process that started it and that its stdout still has a reader (else EPIPE), and
 * exits when not — a server killed with -9 leaves no copy running for long.
 */
import { writeSync } from 'node:fs';
import { runDbJob, type DbJob, type DbJobResult } from './db-jobs.ts';

export type SnapshotChildMessage = { ready: true } | { synced: { source: string; bytes: number } } | { done: DbJobResult };

/** Set (to 'snapshot') when the compiled binary starts itself as this child (cli/src/main.ts reads it). */
export const SNAPSHOT_CHILD_ENV = 'GALLEY_BACKUP_CHILD';

/** Exit code of a child whose parent is gone. */
const ORPHANED = 3;

/** Writes one line to fd 1 synchronously; false when nobody reads it any more. */
function send(message: SnapshotChildMessage): boolean {
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

function readJob(): Promise<DbJob> {
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
        resolve(JSON.parse(buffered.slice(0, end)) as DbJob);
      } catch (err) {
        reject(err as Error);
      }
    });
    // the parent went away before sending the job (it closes stdin once the job is written)
    process.stdin.on('end', () => process.exit(ORPHANED));
  });
}

/** The child's whole life: job in, snapshots and inspections, result out, exit. */
export async function runSnapshotChild(): Promise<void> {
  const parent = process.ppid;
  if (!send({ ready: true })) process.exit(ORPHANED);
  const job = await readJob();
  const result = runDbJob({ ...job, pacedCopy: true }, {
    onSynced(source, bytes) {
      if (process.ppid !== parent || !send({ synced: { source, bytes } })) process.exit(ORPHANED);
    },
  });
  send({ done: result });
  process.exit(0);
}
