// The `galley` command as a user meets it: the compiled dist/galley, real processes, real ports.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, runBinary, type RunningBinary, startBinary, type StartOptions } from './helpers/binary.ts';

const cliPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const running: RunningBinary[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

async function serve(opts: StartOptions = {}): Promise<RunningBinary> {
  const b = await startBinary(opts);
  running.push(b);
  return b;
}

/** No stack frames and no "at file:line" noise in anything shown to a user. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+[:(]\d+/m);
}

describe('galley (no server)', () => {
  it('--version prints the version of cli/package.json', async () => {
    const r = await runBinary(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(cliPackage.version);
  });

  it('--help lists the commands', async () => {
    const r = await runBinary(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: galley');
    for (const command of ['serve', 'superuser', 'schema']) expect(r.stdout).toContain(command);
  });

  it('serve --help lists every flag with its environment variable', async () => {
    const r = await runBinary(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const text of ['--http', '--dir', '--schema', '--dev', '--synchronous', 'GALLEY_HTTP', 'GALLEY_DIR', 'GALLEY_SCHEMA', 'GALLEY_SYNCHRONOUS']) {
      expect(r.stdout).toContain(text);
    }
  });

  it('superuser upsert --help shows its arguments', async () => {
    const r = await runBinary(['superuser', 'upsert', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: galley superuser upsert [options] <email> [password]');
  });

  it('an unknown flag is a one-line error, then the usage, exit 2', async () => {
    const r = await runBinary(['serve', '--no-such-flag']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe("error: unknown option '--no-such-flag'");
    expect(r.stderr).toContain('Usage: galley serve');
    expect(r.stdout).toBe('');
  });

  it('an unknown command is an error, exit 2', async () => {
    const r = await runBinary(['srve']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^error: unknown command 'srve'/);
  });

  it('a missing argument is a one-line error, then the usage, exit 2', async () => {
    const r = await runBinary(['superuser', 'upsert', 'only-email@example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("error: missing required argument 'password'");
    expect(r.stderr).toContain('Usage: galley superuser upsert');
  });

  it('a bad --synchronous value (also from GALLEY_SYNCHRONOUS) is a usage error', async () => {
    const flag = await runBinary(['serve', '--synchronous', 'sometimes']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.split('\n')[0]).toContain('FULL or NORMAL');
    const env = await runBinary(['serve'], { env: { GALLEY_SYNCHRONOUS: 'OFF' } });
    expect(env.code).toBe(2);
    expect(env.stderr.split('\n')[0]).toContain('GALLEY_SYNCHRONOUS');
  });

  it("ignores the working directory's .env and bunfig.toml (no preload runs, no setting read)", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'GALLEY_SYNCHRONOUS=OFF\n');
    writeFileSync(join(cwd, 'bunfig.toml'), 'preload = ["./preload.ts"]\n');
    writeFileSync(join(cwd, 'preload.ts'), `require('node:fs').writeFileSync(${JSON.stringify(join(cwd, 'preloaded'))}, 'ran');\n`);
    // a bad --http stops serve before it listens; read from .env, GALLEY_SYNCHRONOUS=OFF would stop it first (exit 2)
    const r = await runBinary(['serve', '--dir', join(cwd, 'data'), '--http', 'nonsense'], { cwd });
    expect(r.stderr).toContain('"nonsense" is not host:port');
    expect(r.code).toBe(1);
    expect(existsSync(join(cwd, 'preloaded'))).toBe(false);
  });

  it('schema --json-schema prints a JSON Schema document', async () => {
    const r = await runBinary(['schema', '--json-schema']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(typeof doc).toBe('object');
    expect(JSON.stringify(doc)).toMatch(/"type"|"\$ref"|"anyOf"/);
  });

  it('a malformed schema file exits 1 and lists every problem, not just the first', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad-schema.json');
    writeFileSync(file, JSON.stringify([
      { name: 'posts', type: 'base', fields: [{ name: 'title', type: 'txt' }] },
      { name: 'comments', type: 'base', fields: [{ name: 'post', type: 'relation', collectionId: 'nosuchcollection', maxSelect: 1 }] },
      { name: 'posts', type: 'base', fields: [] },
    ]));
    const r = await runBinary(['serve', '--schema', file, '--dir', join(dir, 'data'), '--http', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"txt"');
    expect(r.stderr).toContain('did you mean "text"');
    expect(r.stderr).toContain('nosuchcollection');
    expect(r.stderr).toMatch(/duplicate|already|not unique|unique/i);
    expectNoStackTrace(r.stderr);
    expect(r.stdout).not.toContain('Server started');
  });

  it('a schema file that is not JSON exits 1 with one clear line', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[{"name": "posts",');
    const r = await runBinary(['serve', '--schema', file, '--dir', join(dir, 'data'), '--http', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.json');
    expectNoStackTrace(r.stderr);
  });
});

describe('galley serve', () => {
  it('prints the API URL and answers /api/health', async () => {
    const b = await serve();
    const { stdout } = b.output();
    expect(stdout).toContain(`Server started at ${b.url}\n`);
    expect(stdout).toContain(`├─ REST API: ${b.url}/api/\n`);
    const res = await fetch(`${b.url}/api/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { code: number }).code).toBe(200);
  });

  it('takes --dir and --http from GALLEY_DIR and GALLEY_HTTP', async () => {
    const dir = tempDir();
    const b = await serve({ dir, viaEnv: true });
    expect(b.output().stdout).toContain(`Server started at ${b.url}\n`);
    expect(b.output().stdout).toContain(`Data dir: ${dir}`);
    expect((await fetch(`${b.url}/api/health`)).status).toBe(200);
  });

  it('exits 0 promptly on SIGTERM and leaves a clean database', async () => {
    const b = await serve();
    const out = await b.stop('SIGTERM');
    expect(out.signal).toBeNull();
    expect(out.code).toBe(0);
    expect(out.ms).toBeLessThan(5000);
    expectNoStackTrace(out.stderr);
  });

  it('exits 0 promptly on SIGINT (Ctrl-C)', async () => {
    const b = await serve();
    const out = await b.stop('SIGINT');
    expect(out.code).toBe(0);
    expect(out.ms).toBeLessThan(5000);
  });

  it('a busy port is an error with exit 1, not a crash', async () => {
    const b = await serve();
    const r = await runBinary(['serve', '--dir', tempDir(), '--http', b.url.replace('http://', '')], { timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: /m);
    expectNoStackTrace(r.stderr);
  });
});

describe('galley superuser', () => {
  it('upsert while a server runs on the same dir, then auth-with-password returns a token', async () => {
    const b = await serve();
    const email = 'root@example.com';
    const password = 'correct horse battery';
    const created = await runBinary(['superuser', 'upsert', email, password, '--dir', b.dir]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Successfully saved superuser "${email}"!`);

    const res = await fetch(`${b.url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: email, password }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; record: { email: string } };
    expect(body.token.split('.')).toHaveLength(3);
    expect(body.record.email).toBe(email);

    const wrong = await fetch(`${b.url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: email, password: 'wrong password' }),
    });
    expect(wrong.status).toBe(400);
  });

  it('upsert creates the data dir, updates on the second call, delete removes it', async () => {
    const dir = join(tempDir(), 'fresh', 'data');
    const email = 'admin@example.com';
    expect((await runBinary(['superuser', 'upsert', email, 'first password 1', '--dir', dir])).code).toBe(0);
    const again = await runBinary(['superuser', 'upsert', email, 'second password 2'], { env: { GALLEY_DIR: dir } });
    expect(again.code).toBe(0);
    const del = await runBinary(['superuser', 'delete', email, '--dir', dir]);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(`Successfully deleted superuser "${email}"!`);
    const twice = await runBinary(['superuser', 'delete', email, '--dir', dir]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`no superuser "${email}"`);
  });

  it('upsert with an invalid email fails with exit 1 and no stack trace', async () => {
    const r = await runBinary(['superuser', 'upsert', 'not-an-email', 'some password 1', '--dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: /m);
    expectNoStackTrace(r.stderr);
  });
});
