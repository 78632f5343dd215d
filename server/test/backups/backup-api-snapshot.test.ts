// Backups made through the API (POST /api/backups) while writers write: the server's whole backup (paced copy,
// checksums, tar + gzip) runs in a child process (backups/run-backup-child.ts); under Node running the .ts sources
// no child can start and the snapshot is VACUUM INTO, logged with the reason. Either way the archive restores into
// a fresh directory with every record acknowledged before the backup was asked for, with its file, integrity ok.
// close() during the snapshot or during the pack stops the backup (the child killed) and removes its temp files
// and the partial archive.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, restoreBackupIntoDir, upsertSuperuser, type Galley } from '../../src/index.ts';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { BACKUP_SCHEMA, createDoc, tempDir } from './fixtures.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
/** Bun runs the backup child from the .ts sources; Node can only from the npm package's .js. */
const CHILD_EXPECTED = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
const dirs: string[] = [];
const scratch = (label: string) => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function startGalley(dir: string, lines: string[]): Promise<Galley> {
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  return createGalley({ dir, schema: BACKUP_SCHEMA, env: {}, logger: createTestLogger('warn', (line) => lines.push(line)), settings: { rateLimits: { enabled: false } } as never });
}

async function signIn(galley: Galley): Promise<string> {
  const res = await callGalley(galley, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: ROOT.email, password: ROOT.password } });
  return res.json.token as string;
}

/** This process's children whose command line names the backup child (Linux /proc). */
function backupChildren(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('runBackupChild')) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('a backup through the API while 8 writers create records', () => {
  it('restores into a fresh directory with every record acknowledged before it was asked for, with its file; integrity ok', async () => {
    const dir = scratch('api-backup-writers');
    const lines: string[] = [];
    const galley = await startGalley(dir, lines);
    try {
      const call = (method: string, path: string, opts: { body?: unknown; auth?: string | null } = {}) => callGalley(galley, method, path, opts);
      const token = await signIn(galley);
      const acked: Array<{ id: string; doc: string; at: number }> = [];
      let stop = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; !stop; i++) acked.push({ ...(await createDoc(call, `w${w}-${i}`)), at: Date.now() });
      });
      while (acked.length < 40) await new Promise((r) => setTimeout(r, 10));
      const asked = Date.now();
      const made = await call('POST', '/api/backups', { auth: token, body: { name: 'during.tar.gz' } });
      stop = true;
      await Promise.all(writers);
      expect(made.status).toBe(204);
      const vacuumLines = lines.filter((l) => l.includes('VACUUM INTO'));
      if (CHILD_EXPECTED) expect(vacuumLines).toEqual([]);
      else expect(vacuumLines.join('\n')).toContain('node cannot run the .ts sources in a child process');

      const fresh = scratch('api-backup-restored');
      await restoreBackupIntoDir({ dir: fresh, archive: join(dir, 'backups', 'during.tar.gz') });
      const db = openSqliteHandle(join(fresh, 'data.db'));
      try {
        expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
        const ids = new Set(db.prepare('SELECT id FROM docs').all().map((r) => String(r['id'])));
        const collectionId = String(db.prepare(`SELECT json_extract(value, '$.id') AS id FROM _galley_schema, json_each(collections) WHERE json_extract(value, '$.name') = 'docs'`).all()[0]!['id']);
        const before = acked.filter((a) => a.at < asked);
        expect(before.filter((a) => !ids.has(a.id))).toEqual([]);
        expect(before.filter((a) => !existsSync(join(fresh, 'storage', collectionId, a.id, a.doc)))).toEqual([]);
      } finally {
        db.close();
      }
    } finally {
      await galley.close();
    }
  }, 120_000);
});

describe('close() during an API backup', () => {
  let dir = '';
  beforeAll(async () => {
    dir = scratch('api-backup-close');
    // a database large enough that its copy and its pack (in the child) are still under way when close() comes;
    // an inline pack (Node) is seen under way by this thread at its first write
    const first = await startGalley(dir, []);
    await first.close();
    const filler = openSqliteHandle(join(dir, 'data.db'));
    filler.exec('CREATE TABLE filler (b BLOB)');
    filler.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CHILD_EXPECTED ? 1500 : 100}) INSERT INTO filler SELECT randomblob(100000) FROM n`);
    filler.close();
  }, 60_000);

  const stagingWith = (file: string) => existsSync(join(dir, 'backups')) && readdirSync(join(dir, 'backups')).some((n) => n.startsWith('.tmp-') && existsSync(join(dir, 'backups', n, file)));
  const packing = () => (statSync(join(dir, 'backups', 'stopped.tar.gz.partial'), { throwIfNoEntry: false })?.size ?? 0) > 0;

  // under Node (.ts sources) the snapshot is VACUUM INTO on this thread, which no close() interrupts: the pack only
  it.each([
    { when: 'during the snapshot', under: () => stagingWith('data.db') && !stagingWith('aux.db'), child: true },
    { when: 'during the pack', under: packing, child: CHILD_EXPECTED },
  ].filter((c) => CHILD_EXPECTED || !c.child))('$when: the backup stops, its temp files and partial archive are removed', async ({ under }) => {
    const galley = await startGalley(dir, []);
    let closed = false;
    try {
      const token = await signIn(galley);
      const answer = callGalley(galley, 'POST', '/api/backups', { auth: token, body: { name: 'stopped.tar.gz' } });
      let children: number[] = [];
      for (let i = 0; i < 6000 && !under(); i++) {
        await new Promise((r) => setTimeout(r, 5));
        if (children.length === 0) children = backupChildren();
      }
      expect(under()).toBe(true);
      if (CHILD_EXPECTED) expect(children).toHaveLength(1);
      await galley.close();
      closed = true;
      expect((await answer).status).toBe(400);
      expect(backupChildren()).toEqual([]);
      for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
      expect(readdirSync(join(dir, 'backups')).filter((n) => n.startsWith('.') || n.startsWith('stopped'))).toEqual([]);
    } finally {
      if (!closed) await galley.close();
    }
  }, 120_000);
});
