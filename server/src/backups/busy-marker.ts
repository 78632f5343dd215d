/**
 * One backup or restore at a time per data directory, across processes (a server and the CLI):
 * `<dir>/backups/.running` holds the pid of the process making or restoring a backup. While it is held, the
 * server's local storage holds physical file deletions back (lib/storage/holding.ts), so every file the
 * snapshot references is still there when the storage tree is archived. A marker whose process is gone
 * (kill -9) is stale: taken over, and ignored by the deletion hold.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GalleyError } from '../errors.ts';

export const BACKUPS_DIR = 'backups';
const MARKER = '.running';

export interface BusyMarker {
  release(): void;
}

interface MarkerBody {
  pid: number;
  op: string;
  since: string;
}

function readMarker(file: string): MarkerBody | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as MarkerBody;
    return typeof body?.pid === 'number' ? body : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const markerFile = (dir: string) => join(dir, BACKUPS_DIR, MARKER);

/** True while a live process makes or restores a backup of `dir`. Cheap: one small read. */
export function isBackupRunning(dir: string): boolean {
  const body = readMarker(markerFile(dir));
  return body !== undefined && isAlive(body.pid);
}

/** The restore a live process runs on `dir` (a server's, through the API, or `galley backup restore`), if any. */
export function findRunningRestore(dir: string): { pid: number; since: string } | undefined {
  const body = readMarker(markerFile(dir));
  return body?.op === 'restore' && isAlive(body.pid) ? { pid: body.pid, since: body.since } : undefined;
}

/** Takes the marker or throws a 400 "try again later" naming what runs. */
export function acquireBusyMarker(dir: string, op: 'backup' | 'restore'): BusyMarker {
  mkdirSync(join(dir, BACKUPS_DIR), { recursive: true });
  const file = markerFile(dir);
  const body = JSON.stringify({ pid: process.pid, op, since: new Date().toISOString() } satisfies MarkerBody);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, body);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readMarker(file);
    if (holder && isAlive(holder.pid)) {
      throw new GalleyError('invalid', `Try again later - another backup/restore process has already been started (a ${holder.op} since ${holder.since}).`);
    }
    try {
      unlinkSync(file); // stale (its process is gone) or torn
    } catch {
      // removed in between
    }
  }
  throw new GalleyError('invalid', 'Try again later - another backup/restore process has already been started.');
}
