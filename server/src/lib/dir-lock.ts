/**
 * One server per data directory: `<dir>/.lock` holds the owner's pid, address and start time. A lock whose
 * process is gone (a crash, kill -9) is stale and taken over; a reused pid is told apart by the process's start
 * time (/proc, Linux) or, for this very pid, by a per-process id. The CLI's migrate and superuser commands take
 * no lock: they are short writers that SQLite's own locking already serialises with the server; they refuse while
 * a command (migrate-data, backup restore) holds it instead (migrate-data/held-data.ts).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GalleyError } from '../errors.ts';

export const DIR_LOCK_FILE = '.lock';

/** Tells this process apart from an earlier one that had the same pid (a container's pid 1 after a restart). */
const PROCESS_ID = randomUUID();

export interface DirLockOwner {
  pid: number;
  address: string;
  /** ISO time the lock was taken */
  since: string;
  host: string;
  /** the process's start time in clock ticks since boot (Linux), to tell a reused pid apart */
  started?: string;
  process: string;
  token: string;
}

export interface DirLock {
  readonly file: string;
  /** Record the address the server really listens on (port 0 resolved). */
  setAddress(address: string): void;
  /** Remove the lock if it is still ours. */
  release(): void;
}

/** Start-up only, a few times at most: blocking is fine here and keeps acquireDirLock synchronous. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Linux: the process's state letter and start time (clock ticks since boot); undefined elsewhere or when gone. */
function readProcessStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)" start at field 3 (state); starttime is field 22
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', started: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the process that wrote `owner` still runs. */
export function isDirLockHeld(owner: DirLockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine (shared disk): cannot check, so respect it
  if (owner.pid === process.pid) return owner.process === PROCESS_ID;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !isProcessRunning(owner.pid)) return false;
  const stat = readProcessStat(owner.pid);
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return false; // killed, not yet reaped by its parent
  return owner.started === undefined || stat === undefined || owner.started === stat.started;
}

function parseOwner(text: string): DirLockOwner | undefined {
  try {
    const value = JSON.parse(text) as DirLockOwner;
    return typeof value === 'object' && value !== null && typeof value.pid === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The owner written in the lock file, or undefined (no file, or a file being written / torn by a crash). */
export function readDirLock(dir: string): DirLockOwner | undefined {
  try {
    return parseOwner(readFileSync(join(dir, DIR_LOCK_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The lock's file is never fsynced: other processes read it from the page cache, and what a power loss leaves
 * (nothing, a torn file, a dead pid) is a stale lock taken over as above. An fsync here cost a journal commit
 * before the first request, tens of ms when the disk is busy writing back (issue 16).
 */
function writeNew(file: string, owner: DirLockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(owner) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The command holding the lock in place of a server ('galley migrate-data', 'galley backup restore': a command's
 * lock names the command where a server's names its address), or undefined for a server.
 */
export function findDirLockCommand(owner: DirLockOwner): string | undefined {
  return owner.address.startsWith('galley ') ? owner.address : undefined;
}

export function describeDirLockOwner(owner: DirLockOwner): string {
  return `pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, ${owner.address}, since ${owner.since}`;
}

/**
 * Takes the directory's lock (creating the directory) or throws naming the server that holds it.
 * `allowHint` says how to start anyway (a CLI flag or a library option).
 */
export function acquireDirLock(dir: string, address: string, allowHint: string): DirLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, DIR_LOCK_FILE);
  const owner: DirLockOwner = {
    pid: process.pid,
    address,
    since: new Date().toISOString(),
    host: hostname(),
    started: readProcessStat(process.pid)?.started,
    process: PROCESS_ID,
    token: randomUUID(),
  };
  for (let attempt = 0; ; attempt++) {
    if (writeNew(file, owner)) break;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // removed in between: try again
    }
    const holder = parseOwner(text);
    if (holder && isDirLockHeld(holder)) {
      throw new GalleyError(
        'unavailable',
        `the data directory ${dir} is in use by another Galley server (${describeDirLockOwner(holder)}). ` +
          `Stop that server or use another directory; ${allowHint} starts anyway (two servers on one directory ` +
          `do not see each other's schema changes, settings or realtime events).` +
          // another machine's process cannot be checked from here
          (holder.host !== hostname() ? ` If that server is gone, delete ${file}.` : ''),
      );
    }
    // a torn lock may be one being written right now: give its writer a moment before calling it stale
    const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (!holder && attempt < 20 && age < 2000) {
      sleepSync(50);
      continue;
    }
    if (attempt > 40) throw new GalleyError('unavailable', `could not take the lock ${file}`);
    // stale: remove it only if it is still the same stale file (narrows a race with another starter)
    try {
      if (readFileSync(file, 'utf8') === text) unlinkSync(file);
    } catch {
      // gone already
    }
  }
  return {
    file,
    setAddress(next) {
      if (readDirLock(dir)?.token !== owner.token) return;
      owner.address = next;
      const temp = `${file}.${owner.token}`;
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, JSON.stringify(owner) + '\n');
      } finally {
        closeSync(fd);
      }
      renameSync(temp, file);
    },
    release() {
      try {
        if (readDirLock(dir)?.token === owner.token) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
