// The restore swap's crash recovery: a journal left mid-rename rolls forward (the staged data was checked), a
// journal left after the renames but before the restore was confirmed rolls back; leftovers are removed.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recoverInterruptedRestore, swapInRestoredData } from './restore-swap.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function makeDir(): { dir: string; staged: string } {
  const dir = mkdtempSync(join(tmpdir(), 'galley-swap-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'data.db'), 'old data');
  writeFileSync(join(dir, 'data.db-wal'), 'old wal');
  writeFileSync(join(dir, 'aux.db'), 'old aux');
  mkdirSync(join(dir, 'storage', 'c'), { recursive: true });
  writeFileSync(join(dir, 'storage', 'c', 'f'), 'old file');
  const staged = join(dir, '.restore-abc');
  mkdirSync(join(staged, 'storage', 'c'), { recursive: true });
  writeFileSync(join(staged, 'data.db'), 'new data');
  writeFileSync(join(staged, 'aux.db'), 'new aux');
  writeFileSync(join(staged, 'storage', 'c', 'f'), 'new file');
  return { dir, staged };
}

const read = (dir: string, ...path: string[]) => readFileSync(join(dir, ...path), 'utf8');

describe('restore swap', () => {
  it('commit: the restored data is in place, the old WAL never meets it, nothing is left', () => {
    const { dir, staged } = makeDir();
    swapInRestoredData(dir, staged).commit();
    expect([read(dir, 'data.db'), read(dir, 'aux.db'), read(dir, 'storage', 'c', 'f')]).toEqual(['new data', 'new aux', 'new file']);
    expect(existsSync(join(dir, 'data.db-wal'))).toBe(false);
    expect(recoverInterruptedRestore(dir)).toEqual([]);
  });

  it('roll back: the old data and its WAL come back', () => {
    const { dir, staged } = makeDir();
    const swap = swapInRestoredData(dir, staged);
    writeFileSync(join(dir, 'data.db-wal'), 'restored wal');
    swap.rollBack();
    expect([read(dir, 'data.db'), read(dir, 'data.db-wal'), read(dir, 'aux.db'), read(dir, 'storage', 'c', 'f')]).toEqual(['old data', 'old wal', 'old aux', 'old file']);
    expect(existsSync(staged)).toBe(false);
  });

  it('a crash halfway through the renames rolls forward at the next start', () => {
    const { dir, staged } = makeDir();
    const old = join(dir, '.pre-restore-abc');
    mkdirSync(old);
    writeFileSync(join(dir, '.restore-journal.json'), JSON.stringify({ phase: 'swapping', staged, old, items: ['data.db', 'aux.db', 'storage'] }));
    // the crash came after data.db's renames and before aux.db's
    renameSync(join(dir, 'data.db-wal'), join(old, 'data.db-wal'));
    renameSync(join(dir, 'data.db'), join(old, 'data.db'));
    renameSync(join(staged, 'data.db'), join(dir, 'data.db'));
    expect(recoverInterruptedRestore(dir)).toEqual(['finished an interrupted restore (the restored data is in place)']);
    expect([read(dir, 'data.db'), read(dir, 'aux.db'), read(dir, 'storage', 'c', 'f')]).toEqual(['new data', 'new aux', 'new file']);
    expect(existsSync(old) || existsSync(staged) || existsSync(join(dir, '.restore-journal.json'))).toBe(false);
  });

  it('a crash before the restore was confirmed rolls back at the next start', () => {
    const { dir, staged } = makeDir();
    swapInRestoredData(dir, staged); // neither committed nor rolled back: the process died here
    expect(recoverInterruptedRestore(dir)).toEqual(['undid an unconfirmed restore (the data from before it is back)']);
    expect([read(dir, 'data.db'), read(dir, 'aux.db'), read(dir, 'storage', 'c', 'f')]).toEqual(['old data', 'old aux', 'old file']);
  });

  it('a staging folder without a journal (a crash while checking the archive) is removed', () => {
    const { dir } = makeDir();
    expect(recoverInterruptedRestore(dir)).toEqual(['removed .restore-abc left by an interrupted restore']);
    expect(read(dir, 'data.db')).toBe('old data');
  });
});
