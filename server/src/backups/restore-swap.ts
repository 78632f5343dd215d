/**
 * Swapping restored data into a data directory so that a crash at any point leaves the old data or the
 * restored data, whole. `<dir>/.restore-journal.json` (written and fsynced before the first rename) names the
 * staged folder (the verified archive, extracted) and the folder the current data moves to. Phases:
 * `swapping` (renames under way: a restart rolls forward — the staged data was verified before), `swapped`
 * (renames done, the server checking the restored data: a restart rolls back, as the restore was not
 * confirmed), `rolling-back` (a restart finishes the roll-back). Done: the journal and the old folder go.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const JOURNAL = '.restore-journal.json';
/** Folders a restore stages into and moves the current data to (beside the data, so renames stay on one disk). */
export const RESTORE_STAGING_PREFIX = '.restore-';
const OLD_PREFIX = '.pre-restore-';
/** The current data's WAL files: moved out before the restored databases come in, so SQLite never replays them. */
const WAL_FILES = ['data.db-wal', 'data.db-shm', 'aux.db-wal', 'aux.db-shm'];
const SWAPPED = ['data.db', 'aux.db', 'storage'];

interface Journal {
  phase: 'swapping' | 'swapped' | 'rolling-back';
  staged: string;
  old: string;
  /** what the staged folder held when the swap began */
  items: string[];
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every platform lets a directory be fsynced
  }
}

function writeJournal(dir: string, journal: Journal): void {
  const temp = join(dir, `${JOURNAL}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, JSON.stringify(journal));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, join(dir, JOURNAL));
  syncDir(dir);
}

function readJournal(dir: string): Journal | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, JOURNAL), 'utf8')) as Journal;
  } catch {
    return undefined;
  }
}

const move = (from: string, to: string) => {
  if (existsSync(from) && !existsSync(to)) renameSync(from, to);
};

function rollForward(dir: string, j: Journal): void {
  mkdirSync(j.old, { recursive: true });
  for (const name of WAL_FILES) move(join(dir, name), join(j.old, name));
  for (const name of SWAPPED) {
    const staged = join(j.staged, name);
    if (j.items.includes(name) && !existsSync(staged)) continue; // moved in already
    move(join(dir, name), join(j.old, name));
    move(staged, join(dir, name));
  }
  syncDir(dir);
}

function rollBack(dir: string, j: Journal): void {
  writeJournal(dir, { ...j, phase: 'rolling-back' });
  mkdirSync(j.staged, { recursive: true });
  // the restored data's WAL files go with the restored data, before the old databases return
  for (const name of WAL_FILES) rmSync(join(dir, name), { force: true });
  for (const name of SWAPPED) {
    if (!existsSync(join(j.old, name))) continue;
    if (existsSync(join(dir, name))) {
      if (existsSync(join(j.staged, name))) rmSync(join(dir, name), { recursive: true, force: true });
      else renameSync(join(dir, name), join(j.staged, name));
    }
    renameSync(join(j.old, name), join(dir, name));
  }
  for (const name of WAL_FILES) move(join(j.old, name), join(dir, name));
  syncDir(dir);
  finish(dir, j);
}

function finish(dir: string, j: Journal): void {
  rmSync(join(dir, JOURNAL), { force: true });
  syncDir(dir);
  rmSync(j.old, { recursive: true, force: true });
  rmSync(j.staged, { recursive: true, force: true });
}

export interface SwapHandle {
  /** The restored data stays: the old data is removed. */
  commit(): void;
  /** The old data comes back; the restored data is removed. */
  rollBack(): void;
}

/** Moves the staged data in (the current data aside); nothing may have the databases open. */
export function swapInRestoredData(dir: string, staged: string): SwapHandle {
  const items = SWAPPED.filter((name) => existsSync(join(staged, name)));
  const journal: Journal = { phase: 'swapping', staged, old: join(dir, `${OLD_PREFIX}${staged.split(RESTORE_STAGING_PREFIX).pop()}`), items };
  writeJournal(dir, journal);
  rollForward(dir, journal);
  writeJournal(dir, { ...journal, phase: 'swapped' });
  return { commit: () => finish(dir, journal), rollBack: () => rollBack(dir, journal) };
}

/**
 * At start, before the databases open: finishes or undoes a swap a crash interrupted, and removes staging
 * folders a crash left. Returns what it did, for the log.
 */
export function recoverInterruptedRestore(dir: string): string[] {
  const done: string[] = [];
  const journal = readJournal(dir);
  if (journal) {
    if (journal.phase === 'swapping') {
      rollForward(dir, journal);
      finish(dir, journal);
      done.push('finished an interrupted restore (the restored data is in place)');
    } else {
      rollBack(dir, journal);
      done.push('undid an unconfirmed restore (the data from before it is back)');
    }
  }
  rmSync(join(dir, `${JOURNAL}.tmp`), { force: true });
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (name.startsWith(RESTORE_STAGING_PREFIX) || name.startsWith(OLD_PREFIX)) {
        rmSync(join(dir, name), { recursive: true, force: true });
        done.push(`removed ${name} left by an interrupted restore`);
      }
    }
  }
  return done;
}
