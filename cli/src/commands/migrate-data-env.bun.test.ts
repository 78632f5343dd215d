// `galley migrate-data` with GALLEY_DATABASE_URL standing for the side not named (as `serve --database` reads it):
// a directory copied into the variable's database with --from alone, and back with --to alone; the URL's password
// printed nowhere. Bun-only, as the other PostgreSQL suites (vitest.node.config.ts says why).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { applyMigration, upsertSuperuser } from '@galley/server';
import { describePostgres, usePostgresDatabase } from '../../../server/test/helpers/postgres.ts';
import { runCli } from '../program.ts';

const PASSWORD = 'never-printed-9';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await runCli(['node', 'galley', ...args], { writeOut: (t) => void (out += t), writeErr: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describePostgres('galley migrate-data with GALLEY_DATABASE_URL', () => {
  const database = usePostgresDatabase();
  const root = mkdtempSync(join(tmpdir(), 'galley-cli-migrate-data-env-'));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
  });

  it('the variable is the target with --from alone, and the source with --to alone', async () => {
    const from = join(root, 'from');
    await applyMigration({ dir: from, schemaFile: join(import.meta.dirname, '..', '..', '..', 'schema-examples', 'todo.json') });
    await upsertSuperuser({ dir: from }, 'root@example.com', 'rootpass123');
    vi.stubEnv('GALLEY_DATABASE_URL', database.get().url.replace('postgres@', `postgres:${PASSWORD}@`));

    const into = await run('migrate-data', '--from', from);
    expect(into.code).toBe(0);
    expect(into.out).toMatch(/^Copied .*from → postgres:\/\/postgres:\*\*\*@/);
    expect(into.out).toMatch(/_superusers\s+1\s+1\n/);

    const back = await run('migrate-data', '--to', join(root, 'back'));
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/^Copied postgres:\/\/postgres:\*\*\*@.* → .*back:/);
    expect(back.out).toMatch(/_superusers\s+1\s+1\n/);
    for (const r of [into, back]) expect(r.out + r.err).not.toContain(PASSWORD);
  }, 60_000);
});
