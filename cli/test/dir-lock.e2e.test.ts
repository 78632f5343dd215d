// One server per data directory: a second `galley serve` on the same --dir refuses, naming the first (pid,
// address, since when); a server killed with kill -9 does not block the next start; CLI commands still work.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, makeTempDir, runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const running: RunningBinary[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(dir: string, args: string[] = []): Promise<RunningBinary> {
  const b = await startBinary({ dir, args });
  running.push(b);
  return b;
}

function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

describe('the data directory lock', () => {
  it('a second server on the same directory exits 1 naming the first; after kill -9 of the first a new one starts', async () => {
    const dir = tempDir();
    const first = await serve(dir);
    const lock = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as { pid: number; address: string };
    expect(lock).toMatchObject({ pid: first.proc.pid, address: first.url });

    const second = await runBinary(['serve', '--dir', dir, '--http', `127.0.0.1:${await findFreePort()}`], { timeoutMs: 15_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`the data directory ${dir} is in use by another Galley server (pid ${first.proc.pid}, ${first.url}, since `);
    expect(second.stderr).toContain('--allow-shared-dir');
    expect(second.stdout).not.toContain('Server started');

    // CLI commands are no servers: they keep working beside it
    const upsert = await runBinary(['superuser', 'upsert', 'root@example.com', 'a-long-password', '--dir', dir]);
    expect(upsert.code, upsert.stderr).toBe(0);

    await first.stop('SIGKILL');
    expect(existsSync(join(dir, '.lock'))).toBe(true); // left behind by the crash
    const next = await serve(dir);
    expect((await fetch(`${next.url}/api/health`)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: next.proc.pid, address: next.url });
  });

  it('a start that fails on a busy port leaves no lock behind', async () => {
    const busy = await serve(tempDir());
    const dir = tempDir();
    const r = await runBinary(['serve', '--dir', dir, '--http', busy.url.replace('http://', '')], { timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('--allow-shared-dir starts anyway; a clean stop removes the lock', async () => {
    const dir = tempDir();
    const first = await serve(dir);
    const shared = await serve(dir, ['--allow-shared-dir']);
    expect((await fetch(`${shared.url}/api/health`)).status).toBe(200);
    await shared.stop('SIGTERM');
    expect(existsSync(join(dir, '.lock'))).toBe(true); // the shared one never held it
    const out = await first.stop('SIGTERM');
    expect(out.code).toBe(0);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });
});
