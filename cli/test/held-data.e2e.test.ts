// `galley migrate apply` and `galley superuser upsert|delete` refuse (exit 1) while `galley migrate-data` or a restore
// holds the data, as `serve` refuses to start then, naming the holder and what to do; a server holding the data is
// no obstacle (it follows an apply). The holders are the real ones, taken in this process: the side a copy opens
// (migrate-data/data-endpoint.ts), the lock `galley backup restore` takes, the backups marker a server's restore takes.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireBusyMarker } from '../../server/src/backups/busy-marker.ts';
import { RESTORE_COMMAND } from '../../server/src/backups/restore-dir.ts';
import { acquireDirLock } from '../../server/src/lib/dir-lock.ts';
import { openDataEndpoint } from '../../server/src/migrate-data/data-endpoint.ts';
import { describePostgres, usePostgresDatabase } from '../../server/test/helpers/postgres.ts';
import { makeTempDir, runBinary, startBinary, type RunResult } from './helpers/binary.ts';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schemaFile = (name: string, fields: object[]) => {
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify({ collections: [{ name: 'posts', type: 'base', fields }] }));
  return file;
};
const v1 = schemaFile('v1', [{ name: 'title', type: 'text' }]);
const v2 = schemaFile('v2', [{ name: 'title', type: 'text' }, { name: 'body', type: 'text' }]);

/** The three writers on `where` (['--dir', dir] or ['--database', url]). */
const writers = async (where: string[]): Promise<Array<[string, RunResult]>> => [
  ['migrate apply', await runBinary(['migrate', 'apply', '--schema', v1, ...where])],
  ['superuser upsert', await runBinary(['superuser', 'upsert', 'root@example.com', 'a-long-password', ...where])],
  ['superuser delete', await runBinary(['superuser', 'delete', 'root@example.com', ...where])],
];

function expectRefused(results: Array<[string, RunResult]>, holder: string): void {
  for (const [command, r] of results) {
    expect(r.code, `${command}: ${r.stdout}${r.stderr}`).toBe(1);
    expect(r.stderr).toContain(holder);
    expect(r.stderr).toContain(`: nothing was written. Run \`galley ${command}\` again once it has ended, or stop it.`);
  }
}

/** After the holder let go: the apply and the upsert go ahead, so the refused ones had written nothing. */
async function expectWritesGoAhead(where: string[]): Promise<RunResult> {
  const applied = await runBinary(['migrate', 'apply', '--schema', v1, ...where]);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toContain('Applied');
  const upsert = await runBinary(['superuser', 'upsert', 'root@example.com', 'a-long-password', ...where]);
  expect(upsert.code, upsert.stderr).toBe(0);
  expect(upsert.stdout).toContain('(created)');
  return applied;
}

describe('a data directory held by migrate-data or a restore', () => {
  it('migrate-data copying into it: the writers exit 1 naming it; once the copy ends they go ahead', async () => {
    const dir = join(root, 'copy');
    const copy = await openDataEndpoint(dir, 'target');
    try {
      expectRefused(await writers(['--dir', dir]), `galley migrate-data holds the data directory ${dir} (pid ${process.pid}, since `);
    } finally {
      await copy.close();
    }
    const applied = await expectWritesGoAhead(['--dir', dir]);
    expect(applied.stdout).not.toContain('switches to it'); // no server there
  });

  it('galley backup restore restoring into it: refused the same way', async () => {
    const dir = join(root, 'restore');
    const made = await runBinary(['superuser', 'upsert', 'first@example.com', 'a-long-password', '--dir', dir]); // data there before the restore
    expect(made.code, made.stderr).toBe(0);
    const lock = acquireDirLock(dir, RESTORE_COMMAND, 'nothing');
    try {
      expectRefused(await writers(['--dir', dir]), `galley backup restore holds the data directory ${dir} (pid ${process.pid}, since `);
    } finally {
      lock.release();
    }
    await expectWritesGoAhead(['--dir', dir]);
  });

  it("a server's restore through its API: refused while it runs; the server alone is no obstacle and follows the apply", async () => {
    const server = await startBinary();
    try {
      const marker = acquireBusyMarker(server.dir, 'restore'); // what the server's restore takes (backups/backup-service.ts)
      try {
        expectRefused(await writers(['--dir', server.dir]), `a backup is being restored into the data directory ${server.dir} (pid ${process.pid}, since `);
      } finally {
        marker.release();
      }
      const applied = await expectWritesGoAhead(['--dir', server.dir]);
      expect(applied.stdout).toContain(`The server running on this directory (pid ${server.proc.pid}, ${server.url}, since `);
    } finally {
      await server.stop();
    }
  });
});

describePostgres('a PostgreSQL database held by migrate-data', () => {
  const database = usePostgresDatabase();

  it('migrate-data copying into it: the writers exit 1 naming its session; a server with files on local disk (the lock exclusive too) is no obstacle', async () => {
    const url = database.get().url;
    const copy = await openDataEndpoint(url, 'target');
    try {
      const refused = await writers(['--database', url]);
      expectRefused(refused, 'galley migrate-data (backend pid ');
      for (const [, r] of refused) expect(r.stderr).toMatch(/, connected since \S+\) holds the PostgreSQL database postgres:\/\/\S+ while it copies the app/);
    } finally {
      await copy.close();
    }
    await expectWritesGoAhead(['--database', url]);

    // a local-disk instance holds the files lock exclusively as the copy did; an apply beside it goes ahead
    const server = await startBinary({ schema: v1, env: { GALLEY_DATABASE_URL: url } });
    try {
      const applied = await runBinary(['migrate', 'apply', '--schema', v2, '--database', url]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('Applied');
    } finally {
      await server.stop();
    }
  });
});
