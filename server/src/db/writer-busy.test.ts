import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { nativeModuleName } from './driver.ts';
import { openDatabase, type OpenedDatabase } from './open.ts';

let dir: string;
let db: OpenedDatabase | undefined;
let child: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'galley-'));
});
afterEach(async () => {
  child?.kill('SIGKILL');
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Another process (same runtime, same native module) takes the write lock and holds it until killed. */
function holdWriteLock(file: string): Promise<ChildProcess> {
  const name = nativeModuleName();
  const resolved = name.includes(':') ? name : createRequire(import.meta.url).resolve(name);
  const script = `
    const m = require(${JSON.stringify(resolved)});
    const Database = m.Database || m;
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    db.exec("INSERT INTO t (id) VALUES ('from the other process')");
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (buf: Buffer) => {
      if (buf.toString().includes('locked')) resolve(proc);
    });
    proc.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

it('a write blocked by another process past the busy timeout is 503-ready, not a raw SQLite error', async () => {
  const file = join(dir, 'data.db');
  db = openDatabase({ file, synchronous: 'FULL', busyTimeoutMs: 150 });
  const opened = db;
  await opened.writer.run(async (tx) => {
    await tx.db.schema.createTable('t').addColumn('id', 'text', (c) => c.primaryKey()).execute();
  });
  child = await holdWriteLock(file);

  const started = performance.now();
  const err = await opened.writer.run((tx) => tx.db.insertInto('t').values({ id: 'ours' }).execute()).catch((e: unknown) => e);
  const waited = performance.now() - started;
  expect(err).toBeInstanceOf(GalleyError);
  expect(err).toMatchObject({ kind: 'unavailable', retryAfter: 1 });
  expect((err as GalleyError).message).not.toMatch(/SQLITE|locked/);
  expect(waited).toBeGreaterThanOrEqual(100);

  // Reads keep working while the other process holds the write lock (WAL).
  expect(await opened.read.selectFrom('t').selectAll().execute()).toEqual([]);

  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  await opened.writer.run((tx) => tx.db.insertInto('t').values({ id: 'ours' }).execute());
  expect(await opened.read.selectFrom('t').select('id').execute()).toEqual([{ id: 'ours' }]);
});

