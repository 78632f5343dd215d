// One Galley per data directory in library mode too: createGalley takes <dir>/.lock, close() gives it back,
// and a lock left by a process that is gone (or by an earlier holder of a reused pid) is taken over.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGalley, type Galley } from '../src/index.ts';
import { DIR_LOCK_FILE, type DirLockOwner } from '../src/lib/dir-lock.ts';
import { createLogger } from '../src/lib/log.ts';

const quiet = createLogger('error', () => {});
const open: Galley[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'galley-lock-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, extra: { allowSharedDir?: boolean } = {}): Promise<Galley> {
  const galley = await createGalley({ dir, schema: [], logger: quiet, ...extra });
  open.push(galley);
  return galley;
}

const readLock = (dir: string) => JSON.parse(readFileSync(join(dir, DIR_LOCK_FILE), 'utf8')) as DirLockOwner;

describe('the data directory lock in library mode', () => {
  it('a second createGalley on the same dir is refused naming the first; close() releases it; allowSharedDir skips it', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const { url } = await first.listen('127.0.0.1:0');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, address: url });
    await expect(start(dir)).rejects.toThrow(`is in use by another Galley server (pid ${process.pid}, ${url}, since `);
    const shared = await start(dir, { allowSharedDir: true });
    await shared.close();
    expect(readLock(dir).address).toBe(url); // the shared one never touched it
    await first.close();
    expect(existsSync(join(dir, DIR_LOCK_FILE))).toBe(false);
    await start(dir);
  });

  it('a lock left by a process that is gone is stale and taken over', async () => {
    const dir = tempDir();
    // a real pid that has exited: a child that ran and ended
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, DIR_LOCK_FILE), JSON.stringify({ pid: gone, address: 'http://127.0.0.1:1', since: '2020-01-01T00:00:00.000Z', host: (await import('node:os')).hostname(), process: 'x', token: 't' }));
    await start(dir);
    expect(readLock(dir).pid).toBe(process.pid);
  });

  it('this pid in a lock written by an earlier process (a container restart reuses pid 1) is stale too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, DIR_LOCK_FILE), JSON.stringify({ pid: process.pid, address: 'http://127.0.0.1:1', since: '2020-01-01T00:00:00.000Z', host: (await import('node:os')).hostname(), process: 'an earlier process', token: 't' }));
    await start(dir);
    expect(readLock(dir).process).not.toBe('an earlier process');
  });

  it('a torn lock file (a crash while writing it) does not block forever', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, DIR_LOCK_FILE), '{"pid":');
    await start(dir);
    expect(readLock(dir).pid).toBe(process.pid);
  });

  it('an empty lock file (what a power loss can leave: the lock is not fsynced) is taken over', async () => {
    const dir = tempDir();
    const file = join(dir, DIR_LOCK_FILE);
    writeFileSync(file, '');
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await start(dir);
    expect(readLock(dir).pid).toBe(process.pid);
  });
});

describe('a lock written on another machine (a shared disk)', () => {
  it('is respected, and the message says to delete it if that server is gone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, DIR_LOCK_FILE), JSON.stringify({ pid: 1, address: 'http://10.0.0.2:8090', since: '2020-01-01T00:00:00.000Z', host: 'some-other-host', process: 'x', token: 't' }));
    await expect(start(dir)).rejects.toThrow(`(pid 1 on some-other-host, http://10.0.0.2:8090, since 2020-01-01T00:00:00.000Z)`);
    await expect(start(dir)).rejects.toThrow(`If that server is gone, delete ${join(dir, DIR_LOCK_FILE)}.`);
  });
});
