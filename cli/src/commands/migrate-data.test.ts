// `galley migrate-data`: its progress (redrawn on a terminal, a line per collection elsewhere), its closing
// report (counts side by side, a mismatch marked, what to do about files) and its exit codes, run on two data
// directories (PostgreSQL's side: server/test/postgres/migrate-data.test.ts).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { applyMigration, upsertSuperuser, type MigrateDataReport } from '@galley/server';
import { runCli } from '../program.ts';
import { createCopyProgressPrinter, formatMigrateDataReport, resolveMigrateDataSides } from './migrate-data.ts';

function capture(isTTY: boolean) {
  let text = '';
  return { stream: { isTTY, write: (chunk: string) => ((text += chunk), true) } as never, text: () => text };
}

const REPORT: MigrateDataReport = {
  from: '/data/galley_data',
  to: 'postgres://app:***@db:5432/app',
  schemaSteps: 22,
  counts: [
    { name: '_superusers', source: 1, target: 1 },
    { name: 'posts', source: 12, target: 11 },
  ],
  mismatches: [{ name: 'posts', source: 12, target: 11 }],
  params: 4,
  files: { place: 'local', storageDir: '/data/galley_data/storage', count: 7 },
};

describe('migrate-data output', () => {
  it('on a terminal: one line redrawn per page; elsewhere a plain line per collection once copied', () => {
    const tty = capture(true);
    let clock = 0;
    const printer = createCopyProgressPrinter(tty.stream, () => clock);
    printer.update({ collection: 'posts', copied: 0, total: 1000, done: false });
    clock = 500;
    printer.update({ collection: 'posts', copied: 500, total: 1000, done: false });
    printer.update({ collection: 'posts', copied: 1000, total: 1000, done: true });
    printer.end();
    expect(tty.text()).toContain('\r\x1b[Kposts: 500 / 1000 rows');
    expect(tty.text()).not.toContain('\n');

    const plain = capture(false);
    const lines = createCopyProgressPrinter(plain.stream);
    for (const copied of [0, 500, 1000]) lines.update({ collection: 'posts', copied, total: 1000, done: false });
    lines.update({ collection: 'posts', copied: 1000, total: 1000, done: true });
    lines.end();
    expect(plain.text()).toBe('posts: 1000 rows copied\n');
  });

  it('the report: counts side by side, a mismatch marked and explained, where the files stay', () => {
    const text = formatMigrateDataReport(REPORT).join('\n');
    expect(text).toMatch(/_superusers\s+1\s+1\n/);
    expect(text).toMatch(/posts\s+12\s+11 {2}MISMATCH/);
    expect(text).toContain('1 collection(s) differ');
    expect(text).toContain('7 files stay in /data/galley_data/storage');
    const s3 = formatMigrateDataReport({ ...REPORT, mismatches: [], counts: [], files: { place: 's3', bucket: 'media' } }).join('\n');
    expect(s3).toContain('Every collection holds as many records on both sides.');
    expect(s3).toContain('Files stay on S3 (bucket media)');
  });
});

describe('migrate-data sides', () => {
  const URL = 'postgres://app:secret@db:5432/app';
  const env = { GALLEY_DATABASE_URL: URL };
  it.each([
    ['both flags: the environment is not read', { from: './a', to: './b' }, env, { from: './a', to: './b' }],
    ['--from alone: GALLEY_DATABASE_URL is the target, as serve reads it', { from: './a' }, env, { from: './a', to: URL }],
    ['--to alone: GALLEY_DATABASE_URL is the source', { to: './b' }, env, { from: URL, to: './b' }],
    ['one flag without the variable', { from: './a' }, {}, { problem: 'missing --to: name both sides, or one of them with GALLEY_DATABASE_URL set for the other' }],
    ['no flag: the variable is not both sides', {}, env, { problem: 'missing --from and --to: name both sides, or one of them with GALLEY_DATABASE_URL set for the other' }],
    ['a blank variable is not set', { to: './b' }, { GALLEY_DATABASE_URL: ' ' }, { problem: 'missing --from: name both sides, or one of them with GALLEY_DATABASE_URL set for the other' }],
    // the variable is a database URL, as serve reads it: never a directory (./app:secret@db/app, its password in the report)
    ['a variable without a scheme', { from: './a' }, { GALLEY_DATABASE_URL: 'app:secret@db:5432/app' }, { problem: 'GALLEY_DATABASE_URL is not a postgres:// (or postgresql://) URL, so it cannot stand for --to' }],
    ['a variable of another scheme', { to: './b' }, { GALLEY_DATABASE_URL: 'mysql://app:secret@db/app' }, { problem: 'GALLEY_DATABASE_URL is not a postgres:// (or postgresql://) URL, so it cannot stand for --from' }],
    // a blank flag ('--to "$UNSET"') is not the current directory, where the copy would write its data.db
    ['a blank --to', { from: './a', to: ' ' }, env, { problem: '--to is empty: name a data directory or a postgres:// URL' }],
    ['a blank --from', { from: '', to: './b' }, env, { problem: '--from is empty: name a data directory or a postgres:// URL' }],
    ['both flags: a bad variable is not read', { from: './a', to: './b' }, { GALLEY_DATABASE_URL: 'app:secret@db/app' }, { from: './a', to: './b' }],
  ])('%s', (_name, opts, vars, expected) => {
    expect(resolveMigrateDataSides(opts, vars)).toEqual(expected);
  });
});

describe('galley migrate-data between two directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'galley-cli-migrate-data-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

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

  it('copies (exit 0), then refuses the same target now that it holds records (exit 1)', async () => {
    const from = join(root, 'from');
    const to = join(root, 'to');
    await applyMigration({ dir: from, schemaFile: join(import.meta.dirname, '..', '..', '..', 'schema-examples', 'todo.json') });
    await upsertSuperuser({ dir: from }, 'root@example.com', 'rootpass123');
    const copied = await run('migrate-data', '--from', from, '--to', to);
    expect(copied.code).toBe(0);
    expect(copied.out).toMatch(/_superusers\s+1\s+1\n/);
    expect(copied.out).toContain('Every collection holds as many records on both sides.');
    const again = await run('migrate-data', '--from', from, '--to', to);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds records (_superusers: 1)');
    vi.stubEnv('GALLEY_DATABASE_URL', '');
    try {
      const usage = await run('migrate-data', '--from', from);
      expect(usage.code).toBe(2);
      expect(usage.err).toContain('error: missing --to: name both sides, or one of them with GALLEY_DATABASE_URL set for the other');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a URL of another scheme is refused as a database URL, not taken for a directory named after it (its password printed)', async () => {
    const from = join(root, 'from-scheme');
    await applyMigration({ dir: from, schemaFile: join(import.meta.dirname, '..', '..', '..', 'schema-examples', 'todo.json') });
    const cwd = process.cwd();
    process.chdir(root); // a relative directory would land here
    vi.stubEnv('GALLEY_DATABASE_URL', 'postgresql+psycopg://app:never-printed-7@db.example:5432/app');
    try {
      const usage = await run('migrate-data', '--from', from);
      expect(usage.code, usage.out + usage.err).toBe(2);
      expect(usage.err).toContain('GALLEY_DATABASE_URL is not a postgres:// (or postgresql://) URL');
      const refused = await run('migrate-data', '--from', from, '--to', 'mysql://app:never-printed-7@db.example/app');
      expect(refused.code, refused.out + refused.err).toBe(1);
      expect(refused.err).toContain('--to: the URL is a mysql URL; only postgres:// (or postgresql://) is supported');
      for (const r of [usage, refused]) expect(r.out + r.err).not.toContain('never-printed-7');
      expect(existsSync(join(root, 'postgresql+psycopg:')) || existsSync(join(root, 'mysql:'))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
      process.chdir(cwd);
    }
  });
});
