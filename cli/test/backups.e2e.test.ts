// Backups through the compiled binary: `galley backup create` while a server runs and 16 writers create and
// delete records with files; the archive restored with the CLI into a fresh directory and through the running
// server's API; every record acknowledged before the backup started (and not deleted) is there with its file,
// no record names a missing file, integrity_check ok; the CLI's refusal beside a running server; kill -9 of a
// backup and of a restore leaves the old data whole and no temp files after the next start; kill -9 of a server
// during an API backup (its snapshot or its pack) leaves no backup process running.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { BINARY, makeTempDir, runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const WRITERS = 16;
const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const SCHEMA = {
  collections: [
    {
      name: 'docs',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'doc', type: 'file', maxSelect: 1, maxSize: 2_000_000 },
      ],
    },
  ],
};

const dirs: string[] = [];
const tempDir = () => {
  const d = makeTempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Made {
  id: string;
  doc: string;
  writer: number;
  ackedAt: number;
  deleteSentAt?: number;
}

async function createDoc(url: string, title: string, bytes: Uint8Array | string = `bytes of ${title}`): Promise<{ id: string; doc: string }> {
  const form = new FormData();
  form.set('title', title);
  form.set('doc', new File([bytes as BlobPart], `${title}.bin`));
  const res = await fetch(`${url}/api/collections/docs/records`, { method: 'POST', body: form });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; doc: string };
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: ROOT.email, password: ROOT.password }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Rows of docs and the integrity of a data dir's databases (the server stopped, or WAL readers beside it). */
function readDir(dir: string): { integrity: string[]; rows: Array<{ id: string; doc: string }>; collectionId: string } {
  const integrity: string[] = [];
  for (const file of ['data.db', 'aux.db']) {
    const db = openSqliteHandle(join(dir, file));
    try {
      integrity.push(String(Object.values(db.prepare('PRAGMA integrity_check').all()[0]!)[0]));
    } finally {
      db.close();
    }
  }
  const db = openSqliteHandle(join(dir, 'data.db'));
  try {
    const rows = db.prepare('SELECT id, doc FROM docs').all() as Array<{ id: string; doc: string }>;
    const schema = JSON.parse(String(db.prepare('SELECT collections FROM _galley_schema WHERE id = 1').all()[0]!['collections'])) as Array<{ id: string; name: string }>;
    return { integrity, rows, collectionId: schema.find((c) => c.name === 'docs')!.id };
  } finally {
    db.close();
  }
}

/** Every row's file is on disk; returns the rows whose file is missing. */
function missingFiles(dir: string, rows: Array<{ id: string; doc: string }>, collectionId: string): string[] {
  return rows.filter((r) => r.doc && !existsSync(join(dir, 'storage', collectionId, r.id, r.doc))).map((r) => r.id);
}

/** What a crash leaves behind: none of it may survive the next start. */
function leftovers(dir: string): string[] {
  const top = readdirSync(dir).filter((n) => n.startsWith('.restore-') || n.startsWith('.pre-restore-') || n.startsWith('.restore-journal'));
  const backups = existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).filter((n) => n.startsWith('.tmp-') || n.endsWith('.partial')) : [];
  return [...top, ...backups.map((n) => `backups/${n}`)];
}

/** The server's backup process (the binary started with GALLEY_BACKUP_CHILD=archive), from /proc. */
function backupChildOf(pid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes('GALLEY_BACKUP_CHILD=archive')) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** A process that exists and is not a zombie (an orphan's zombie waits for whoever adopted it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('a backup while 16 writers create and delete records with files', () => {
  let server: RunningBinary;
  let token = '';
  const made: Made[] = [];
  let cliStart = 0;
  let cliEnd = 0;
  const source = tempDir();

  beforeAll(async () => {
    expect((await runBinary(['superuser', 'upsert', ROOT.email, ROOT.password, '--dir', source])).code).toBe(0);
    server = await startBinary({ dir: source, schema: SCHEMA });
    token = await signIn(server.url);
    let stop = false;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const doc = await createDoc(server.url, `w${w}-${i}`);
        made.push({ ...doc, writer: w, ackedAt: Date.now() });
        if (i % 2 === 1) {
          // delete this writer's record of the iteration before (its file goes after the commit); odd ones stay
          const victim = made.findLast((m) => m.writer === w && m.id !== doc.id && m.deleteSentAt === undefined);
          if (victim) {
            victim.deleteSentAt = Date.now();
            const res = await fetch(`${server.url}/api/collections/docs/records/${victim.id}`, { method: 'DELETE' });
            expect(res.status).toBe(204);
          }
        }
      }
    });
    // every writer under way (and some deletes done) before the backup starts
    while (made.length < WRITERS * 4) await new Promise((r) => setTimeout(r, 20));
    cliStart = Date.now();
    const created = await runBinary(['backup', 'create', 'during.tar.gz', '--dir', source], { timeoutMs: 60_000 });
    cliEnd = Date.now();
    stop = true;
    await Promise.all(writers);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Created .*during\.tar\.gz: [\d.]+ (B|KiB|MiB), \d+ files, /m);
    // not a terminal: plain lines per phase, nothing redrawn
    expect(created.stderr).toContain('snapshotting the databases…\n');
    expect(created.stderr).not.toContain('\r');
    // the CLI snapshots with the paced copy (bounded dirty data), not VACUUM INTO, even with writers going on
    expect(created.stderr).not.toContain('VACUUM INTO');
    console.log(`backup during ${WRITERS} writers: ${cliEnd - cliStart} ms, ${made.length} records made, ${made.filter((m) => m.deleteSentAt).length} deleted`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  const mustBeThere = () => made.filter((m) => m.ackedAt < cliStart && (m.deleteSentAt === undefined || m.deleteSentAt > cliEnd));

  it('lists the archive', async () => {
    const listed = await runBinary(['backup', 'list', '--dir', source]);
    expect(listed.stdout).toMatch(/^during\.tar\.gz {2}[\d.]+ (B|KiB|MiB) {2}\d{4}-/m);
  });

  it('restores with the CLI into a fresh directory: records acknowledged before the backup, with their files', async () => {
    const fresh = tempDir();
    const restored = await runBinary(['backup', 'restore', join(source, 'backups', 'during.tar.gz'), '--dir', fresh], { timeoutMs: 60_000 });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Restored .* records, \d+ files/);
    const { integrity, rows, collectionId } = readDir(fresh);
    expect(integrity).toEqual(['ok', 'ok']);
    const ids = new Set(rows.map((r) => r.id));
    const expected = mustBeThere();
    expect(expected.length).toBeGreaterThan(WRITERS);
    expect(expected.filter((m) => !ids.has(m.id))).toEqual([]);
    expect(missingFiles(fresh, rows, collectionId)).toEqual([]);
    // and it serves them
    const restoredServer = await startBinary({ dir: fresh, schema: SCHEMA });
    try {
      const sample = expected[0]!;
      const file = await fetch(`${restoredServer.url}/api/files/docs/${sample.id}/${sample.doc}`);
      expect(file.status).toBe(200);
      expect(await file.text()).toMatch(/^bytes of w\d+-\d+$/);
    } finally {
      await restoredServer.stop();
    }
  });

  it('the CLI refuses to restore under the running server and says how to do it through its API', async () => {
    const refused = await runBinary(['backup', 'restore', 'during.tar.gz', '--dir', source]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`POST ${server.url}/api/backups/during.tar.gz/restore`);
  });

  it('restores through the running server: a request during the swap is a 503 with Retry-After, realtime clients disconnected, the data as archived', async () => {
    const late = await createDoc(server.url, 'after-backup');
    // a realtime client, whose stream the restore ends
    const stream = await fetch(`${server.url}/api/realtime`);
    const reader = stream.body!.getReader();
    await reader.read(); // PB_CONNECT
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    const res = await fetch(`${server.url}/api/backups/during.tar.gz/restore`, { method: 'POST', headers: { authorization: token } });
    expect(res.status).toBe(204);
    const second = await fetch(`${server.url}/api/backups/during.tar.gz/restore`, { method: 'POST', headers: { authorization: token } });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { message: string }).message).toMatch(/Try again later/);
    // the swap may be shorter than one poll: a 503 seen must carry Retry-After (the gate itself: restore-gate.test.ts)
    for (let i = 0; i < 400; i++) {
      const health = await fetch(`${server.url}/api/health`, { headers: { authorization: token } });
      if (health.status === 503) {
        expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);
      } else if (health.status === 200 && ((await health.json()) as { data: { canBackup: boolean } }).data.canBackup) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await ended).toBe(true);
    expect((await fetch(`${server.url}/api/collections/docs/records/${late.id}`)).status).toBe(404);
    const list = (await (await fetch(`${server.url}/api/collections/docs/records?perPage=1000&fields=id`)).json()) as { items: Array<{ id: string }>; totalItems: number };
    const ids = new Set(list.items.map((r) => r.id));
    expect(mustBeThere().filter((m) => !ids.has(m.id))).toEqual([]);
    const sample = mustBeThere()[0]!;
    expect((await fetch(`${server.url}/api/files/docs/${sample.id}/${sample.doc}`)).status).toBe(200);
  });
});

describe('kill -9', () => {
  let dir: string;
  let bigArchive: string;

  beforeAll(async () => {
    dir = tempDir();
    const server = await startBinary({ dir, schema: SCHEMA });
    // enough random bytes that gzip takes a while
    for (let i = 0; i < 10; i++) await createDoc(server.url, `big${i}`, randomBytes(1_000_000));
    await server.stop();
    bigArchive = join(tempDir(), 'big.tar.gz');
    const made = await runBinary(['backup', 'create', 'big.tar.gz', '--dir', dir], { timeoutMs: 60_000 });
    expect(made.code, made.stderr).toBe(0);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(dir, 'backups', 'big.tar.gz'), bigArchive);
  }, 120_000);

  /** Spawns the binary and SIGKILLs it once `ready()` holds (polled every few ms); false if it ended first. */
  async function killWhen(args: string[], ready: () => boolean): Promise<boolean> {
    const proc: ChildProcess = spawn(BINARY, args, { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let killed = false;
    while (proc.exitCode === null && proc.signalCode === null) {
      if (ready()) {
        proc.kill('SIGKILL');
        killed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await exited;
    return killed;
  }

  it('during a backup: the next start removes the temp files and the data is whole', async () => {
    const partial = join(dir, 'backups', 'killed.tar.gz.partial');
    const killed = await killWhen(['backup', 'create', 'killed.tar.gz', '--dir', dir], () => existsSync(partial) && statSync(partial).size > 0);
    expect(killed).toBe(true);
    expect(leftovers(dir).length).toBeGreaterThan(0);
    const server = await startBinary({ dir, schema: SCHEMA });
    await server.stop();
    expect(leftovers(dir)).toEqual([]);
    expect(existsSync(join(dir, 'backups', 'killed.tar.gz'))).toBe(false);
    const { integrity, rows, collectionId } = readDir(dir);
    expect(integrity).toEqual(['ok', 'ok']);
    expect(rows).toHaveLength(10);
    expect(missingFiles(dir, rows, collectionId)).toEqual([]);
    // a new backup can start: the dead process's marker does not hold it
    expect((await runBinary(['backup', 'create', 'after-kill.tar.gz', '--dir', dir], { timeoutMs: 60_000 })).code).toBe(0);
  });

  it('during a CLI restore: the old data stays whole and the staging folder is removed', async () => {
    const target = tempDir();
    const server = await startBinary({ dir: target, schema: SCHEMA });
    const kept = await createDoc(server.url, 'kept');
    await server.stop();
    const killed = await killWhen(['backup', 'restore', bigArchive, '--dir', target], () => readdirSync(target).some((n) => n.startsWith('.restore-')));
    expect(killed).toBe(true);
    const again = await startBinary({ dir: target, schema: SCHEMA });
    await again.stop();
    expect(leftovers(target)).toEqual([]);
    const { integrity, rows, collectionId } = readDir(target);
    expect(integrity).toEqual(['ok', 'ok']);
    expect(rows.map((r) => r.id)).toEqual([kept.id]);
    expect(missingFiles(target, rows, collectionId)).toEqual([]);
  });

  describe('of a server during an API backup', () => {
    let target = '';
    let kept: { id: string; doc: string };
    beforeAll(async () => {
      target = tempDir();
      expect((await runBinary(['superuser', 'upsert', ROOT.email, ROOT.password, '--dir', target])).code).toBe(0);
      const first = await startBinary({ dir: target, schema: SCHEMA });
      kept = await createDoc(first.url, 'kept');
      await first.stop();
      // a database large enough that its copy, then its pack, are still under way when the server dies
      const filler = openSqliteHandle(join(target, 'data.db'));
      filler.exec('CREATE TABLE filler (b BLOB)');
      filler.exec('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) INSERT INTO filler SELECT randomblob(100000) FROM n');
      filler.close();
    }, 120_000);

    const staged = () => readdirSync(join(target, 'backups')).filter((n) => n.startsWith('.tmp-'));
    const copied = () => staged().reduce((sum, n) => sum + (statSync(join(target, 'backups', n, 'data.db'), { throwIfNoEntry: false })?.size ?? 0), 0);
    const packed = () => statSync(join(target, 'backups', 'killed.tar.gz.partial'), { throwIfNoEntry: false })?.size ?? 0;

    // the child checks its parent at each fdatasync of the copy (every 2 MiB), and every second while it packs
    it.each([
      { phase: 'the snapshot', under: () => copied() > 0 && packed() === 0, progress: copied },
      { phase: 'the pack', under: () => packed() > 0, progress: packed },
    ])('during $phase: its backup process ends too, the next start removes the temp files', async ({ under, progress }) => {
      const server = await startBinary({ dir: target, schema: SCHEMA });
      const token = await signIn(server.url);
      const answer = fetch(`${server.url}/api/backups`, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'killed.tar.gz' }),
      }).catch(() => undefined);
      let child: number | undefined;
      for (let i = 0; i < 6000 && !(child !== undefined && under()); i++) {
        await new Promise((r) => setTimeout(r, 5));
        child ??= backupChildOf(server.proc.pid!);
      }
      expect(child).toBeDefined();
      expect(under()).toBe(true);
      server.proc.kill('SIGKILL');
      const killedAt = Date.now();
      const atKill = progress();
      await server.stop();
      await answer;
      for (let i = 0; i < 400 && isRunning(child!); i++) await new Promise((r) => setTimeout(r, 10));
      expect(isRunning(child!)).toBe(false);
      const source = statSync(join(target, 'data.db')).size;
      console.log(`backup process gone ${Date.now() - killedAt} ms after the kill; ${progress()} bytes written (${atKill} at the kill; data.db ${source})`);
      // it stopped because its parent died, not because it was done (at its end it removes its staging folder)
      expect(staged()).toHaveLength(1);
      expect(existsSync(join(target, 'backups', 'killed.tar.gz'))).toBe(false);
      const again = await startBinary({ dir: target, schema: SCHEMA });
      await again.stop();
      expect(leftovers(target)).toEqual([]);
      const { integrity, rows, collectionId } = readDir(target);
      expect(integrity).toEqual(['ok', 'ok']);
      expect(rows.map((r) => r.id)).toEqual([kept.id]);
      expect(missingFiles(target, rows, collectionId)).toEqual([]);
    }, 120_000);
  });

  it('of a server during an in-process restore: old or restored data, whole, temp files gone', async () => {
    const target = tempDir();
    expect((await runBinary(['superuser', 'upsert', ROOT.email, ROOT.password, '--dir', target])).code).toBe(0);
    const server = await startBinary({ dir: target, schema: SCHEMA });
    const kept = await createDoc(server.url, 'kept');
    const token = await signIn(server.url);
    const form = new FormData();
    const { readFileSync } = await import('node:fs');
    form.set('file', new File([readFileSync(bigArchive)], 'big.tar.gz'));
    expect((await fetch(`${server.url}/api/backups/upload`, { method: 'POST', headers: { authorization: token }, body: form })).status).toBe(204);
    expect((await fetch(`${server.url}/api/backups/big.tar.gz/restore`, { method: 'POST', headers: { authorization: token } })).status).toBe(204);
    for (let i = 0; i < 2000 && !readdirSync(target).some((n) => n.startsWith('.restore-')); i++) await new Promise((r) => setTimeout(r, 2));
    server.proc.kill('SIGKILL');
    await server.stop();
    const again = await startBinary({ dir: target, schema: SCHEMA });
    await again.stop();
    expect(leftovers(target)).toEqual([]);
    const { integrity, rows, collectionId } = readDir(target);
    expect(integrity).toEqual(['ok', 'ok']);
    const ids = rows.map((r) => r.id);
    // either the data from before (one record) or the archive's (10 records), never a mix
    expect(ids.length === 1 ? ids : ids.length).toEqual(ids.length === 1 ? [kept.id] : 10);
    expect(missingFiles(target, rows, collectionId)).toEqual([]);
  });
});
