// Archives on disk, without HTTP: create while records and files come and go, restore into a fresh directory,
// refuse unfit archives before touching anything, hold file deletions while the storage tree is archived.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar';
import { createGalley } from '../../src/index.ts';
import { createBackupArchive, listBackupFiles, restoreBackupIntoDir } from '../../src/backups/index.ts';
import { acquireBusyMarker } from '../../src/backups/busy-marker.ts';
import { openSqliteHandle } from '../../src/db/driver.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { startTestGalley, type TestGalley } from '../helpers/test-galley.ts';
import { BACKUP_SCHEMA, createDoc, makeTarGz, tempDir } from './fixtures.ts';

let t: TestGalley;
let archive: string;
const kept: Array<{ id: string; doc: string }> = [];
const scratch: string[] = [];

beforeAll(async () => {
  t = await startTestGalley(BACKUP_SCHEMA);
  for (let i = 0; i < 6; i++) kept.push(await createDoc(t.call, `kept${i}`));
  // writers keep creating and deleting records with files while the backup runs
  let stop = false;
  const churn = (async () => {
    for (let i = 0; !stop; i++) {
      const made = await createDoc(t.call, `churn${i}`);
      await t.call('DELETE', `/api/collections/docs/records/${made.id}`);
    }
  })();
  archive = join(t.dir, 'backups', 'first.tar.gz');
  await createBackupArchive({ dir: t.dir, out: archive });
  stop = true;
  await churn;
}, 30_000);

afterAll(async () => {
  await t.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function unpackManifest(file: string): any {
  const into = tempDir('manifest');
  scratch.push(into);
  return extract({ file, cwd: into, sync: true }, ['manifest.json']), JSON.parse(readFileSync(join(into, 'manifest.json'), 'utf8'));
}

describe('backup archives', () => {
  it('lists the archive and its manifest counts the records and files of the snapshot', () => {
    expect(listBackupFiles(t.dir).map((b) => b.key)).toEqual(['first.tar.gz']);
    const manifest = unpackManifest(archive);
    expect(manifest.format).toBe('galley-backup/1');
    expect(manifest.counts.records.docs).toBeGreaterThanOrEqual(kept.length);
    expect(manifest.checksums['data.db'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.schemaHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('restores into a fresh directory: every record is there with its file, no record names a missing file', async () => {
    const dir = tempDir('restored');
    scratch.push(dir);
    const done = await restoreBackupIntoDir({ dir, archive });
    expect(done.preRestoreBackup).toBeUndefined();
    const galley = await createGalley({ dir, schema: BACKUP_SCHEMA, logger: createTestLogger() });
    try {
      const rows = (await galley.core.db.read.selectFrom('docs').select(['id', 'doc']).execute()) as Array<{ id: string; doc: string }>;
      for (const k of kept) expect(rows.map((r) => r.id)).toContain(k.id);
      const collectionId = galley.core.schema.findCollection('docs')!.id;
      for (const row of rows) expect(existsSync(join(dir, 'storage', collectionId, row.id, row.doc)), row.doc).toBe(true);
    } finally {
      await galley.close();
    }
  });

  it('keeps the current data as @pre_restore_… when restoring over it', async () => {
    const dir = tempDir('over');
    scratch.push(dir);
    await restoreBackupIntoDir({ dir, archive });
    // WAL, as a server leaves it: the pre-restore archive is made as `galley backup create` makes one, paced copy included
    const served = openSqliteHandle(join(dir, 'data.db'));
    served.exec('PRAGMA journal_mode = WAL');
    served.close();
    const again = await restoreBackupIntoDir({ dir, archive });
    expect(again.preRestoreBackup).toMatch(/@pre_restore_\d{14}\.tar\.gz$/);
    expect(existsSync(again.preRestoreBackup!)).toBe(true);
    expect(again.preRestoreSnapshots?.['data.db']).toEqual({ method: 'paced-copy' });
  });
});

describe('unfit archives are refused before anything is touched', () => {
  let target: string;
  let before: Buffer;
  let work: string;

  beforeAll(async () => {
    target = tempDir('target');
    work = tempDir('work');
    scratch.push(target, work);
    await restoreBackupIntoDir({ dir: target, archive });
    before = readFileSync(join(target, 'data.db'));
    // an honest archive unpacked, to build broken ones from
    mkdirSync(join(work, 'src'));
    await extract({ file: archive, cwd: join(work, 'src') });
  }, 30_000);

  const cases: Array<{ name: string; make: () => Promise<string>; message: RegExp }> = [
    {
      name: 'a truncated archive',
      make: async () => {
        const out = join(work, 'truncated.tar.gz');
        writeFileSync(out, readFileSync(archive));
        truncateSync(out, Math.floor(statSync(out).size / 2));
        return out;
      },
      message: /damaged|truncated|missing/,
    },
    {
      name: 'a tampered checksum',
      make: async () => {
        const manifestPath = join(work, 'src', 'manifest.json');
        const original = readFileSync(manifestPath, 'utf8');
        const m = JSON.parse(original);
        m.checksums['data.db'].sha256 = '0'.repeat(64);
        writeFileSync(manifestPath, JSON.stringify(m));
        const out = join(work, 'tampered.tar.gz');
        await makeTarGz(join(work, 'src'), out, ['manifest.json', 'data.db', 'aux.db']);
        writeFileSync(manifestPath, original);
        return out;
      },
      message: /checksum of data\.db/,
    },
    {
      name: 'an entry with a ../ path',
      make: async () => {
        mkdirSync(join(work, 'up', 'inner'), { recursive: true });
        writeFileSync(join(work, 'up', 'evil.txt'), 'x');
        const out = join(work, 'dotdot.tar.gz');
        await makeTarGz(join(work, 'up', 'inner'), out, ['../evil.txt']);
        return out;
      },
      message: /leaves its folder/,
    },
    {
      name: 'a symlink entry',
      make: async () => {
        mkdirSync(join(work, 'link'), { recursive: true });
        symlinkSync('/etc/passwd', join(work, 'link', 'data.db'));
        const out = join(work, 'symlink.tar.gz');
        await makeTarGz(join(work, 'link'), out, ['data.db']);
        return out;
      },
      message: /SymbolicLink entry/,
    },
    {
      name: 'a file that is not an archive',
      make: async () => {
        const out = join(work, 'plain.tar.gz');
        writeFileSync(out, 'not gzip at all');
        return out;
      },
      message: /damaged or not a gzipped tar/,
    },
  ];

  it.each(cases)('$name', async ({ make, message }) => {
    const bad = await make();
    const err = await restoreBackupIntoDir({ dir: target, archive: bad }).then(() => undefined, (e: { kind?: string; message: string }) => e);
    expect(err?.kind).toBe('invalid');
    expect(err?.message).toMatch(message);
    expect(readFileSync(join(target, 'data.db')).equals(before)).toBe(true);
    expect(existsSync(join(work, 'evil.txt'))).toBe(false);
    expect(listBackupFiles(target).some((b) => b.key.startsWith('@pre_restore'))).toBe(false);
  });

  it('a second backup or restore while one runs gets "try again later"', async () => {
    const marker = acquireBusyMarker(target, 'backup');
    try {
      await expect(createBackupArchive({ dir: target, out: join(target, 'backups', 'second.tar.gz') })).rejects.toThrow(/Try again later/);
      await expect(restoreBackupIntoDir({ dir: target, archive })).rejects.toThrow(/Try again later/);
    } finally {
      marker.release();
    }
  });
});

describe('file deletions wait while a backup holds them', () => {
  it('a deleted record keeps its file until the backup lets go, then the file goes', async () => {
    const made = await createDoc(t.call, 'held');
    const collectionId = t.galley.core.schema.findCollection('docs')!.id;
    const path = join(t.dir, 'storage', collectionId, made.id, made.doc);
    const marker = acquireBusyMarker(t.dir, 'backup');
    try {
      expect((await t.call('DELETE', `/api/collections/docs/records/${made.id}`)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(path)).toBe(true);
    } finally {
      marker.release();
    }
    for (let i = 0; i < 40 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(path)).toBe(false);
  });
});
