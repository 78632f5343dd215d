/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, listening on 127.0.0.1 only, a free port,
 * trust auth for the `postgres` role, C locale (bytewise text order, as SQLite's BINARY collation). One per vitest
 * run: the first test file that asks starts it (a lock dir among workers), `postgres-global-setup.ts` stops and
 * removes it when the run ends. As root (CI, this machine) every binary runs as the `postgres` user through runuser,
 * since postgres refuses to run as root.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** Where Debian's `postgresql` package puts the server binaries (newest major first), or PATH. */
export function findPostgresBinDir(): string | null {
  const fromEnv = process.env['GALLEY_TEST_PG_BIN'];
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const majors = readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const m of majors) if (existsSync(join(base, m, 'bin', 'initdb'))) return join(base, m, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found ? found.replace(/\/initdb$/, '') : null;
}

export interface ClusterInfo {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataDir: string;
  readonly binDir: string;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Run a PostgreSQL binary, as the postgres user when we are root; throws with its output on failure. */
function runPg(binDir: string, tool: string, args: string[]): string {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${tool} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ownedByPostgres(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (!isRoot()) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

/**
 * initdb + start under `runDir` (created by the global setup). Durability is off by default: the data is thrown
 * away; `durable` keeps fsync and synchronous commit on (the bench's create rows measure a durable commit).
 */
export async function startCluster(runDir: string, binDir: string, options: { durable?: boolean } = {}): Promise<ClusterInfo> {
  const dataDir = join(runDir, 'data');
  const socketDir = join(runDir, 'sock');
  ownedByPostgres(runDir);
  ownedByPostgres(socketDir);
  runPg(binDir, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  // a port taken between freePort() and the listen: try again with another
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const opts = [
      `-c listen_addresses=127.0.0.1`, `-c port=${port}`, `-c unix_socket_directories=${socketDir}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']), '-c max_connections=200',
    ].join(' ');
    try {
      runPg(binDir, 'pg_ctl', ['-D', dataDir, '-l', join(runDir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
      return { host: '127.0.0.1', port, user: 'postgres', dataDir, binDir };
    } catch (err) {
      if (attempt >= 3) {
        const log = existsSync(join(runDir, 'server.log')) ? readFileSync(join(runDir, 'server.log'), 'utf8') : '';
        throw new Error(`${(err as Error).message}\n${log}`);
      }
    }
  }
}

export function stopCluster(info: ClusterInfo): void {
  runPg(info.binDir, 'pg_ctl', ['-D', info.dataDir, '-m', 'immediate', '-w', 'stop']);
}

/**
 * `pg_ctl restart -m fast`: the connections cut, a clean shutdown, started again with the same options. Async, so
 * the caller's clients keep sending while the database is down.
 */
export function restartCluster(info: ClusterInfo): Promise<void> {
  // -l as at the start: without it the new server writes to pg_ctl's stdout, a pipe that would never close
  const args = ['-D', info.dataDir, '-l', join(dirname(info.dataDir), 'server.log'), '-m', 'fast', '-w', '-t', '60', 'restart'];
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', join(info.binDir, 'pg_ctl'), ...args]] : [join(info.binDir, 'pg_ctl'), args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`pg_ctl restart failed: ${stderr || stdout || err.message}`)) : resolve()));
  });
}

const READY = 'cluster.json';
const FAILED = 'failed.txt';
const START_WAIT_MS = 120_000;

/**
 * The run's cluster: started by the first caller among the workers (mkdir of a lock dir is atomic), the others
 * wait for its `cluster.json` (or its failure) to appear.
 */
export async function ensureCluster(runDir: string, binDir: string): Promise<ClusterInfo> {
  const ready = join(runDir, READY);
  let starter = false;
  try {
    mkdirSync(join(runDir, 'start.lock'));
    starter = true;
  } catch {
    // another worker is starting it
  }
  if (starter) {
    try {
      const info = await startCluster(runDir, binDir);
      writeFileSync(ready + '.tmp', JSON.stringify(info));
      execFileSync('mv', [ready + '.tmp', ready]);
      return info;
    } catch (err) {
      writeFileSync(join(runDir, FAILED), (err as Error).message);
      throw err;
    }
  }
  await waitForStart(runDir);
  if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as ClusterInfo;
  throw new Error(`PostgreSQL test cluster failed to start: ${readFileSync(join(runDir, FAILED), 'utf8')}`);
}

/** Until the starter wrote its outcome; bounded, so a worker that died mid-start cannot hang the run. */
async function waitForStart(runDir: string): Promise<void> {
  const deadline = Date.now() + START_WAIT_MS;
  while (!existsSync(join(runDir, READY)) && !existsSync(join(runDir, FAILED))) {
    if (Date.now() > deadline) writeFileSync(join(runDir, FAILED), `no cluster after ${START_WAIT_MS / 1000} s`);
    else await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The global teardown: stop the cluster if a test started it (waiting for a start in flight), remove the dir.
 * An orphan's (`waitForStarter` false) start will never finish: whatever runs from its data dir is stopped.
 */
export async function removeCluster(runDir: string, waitForStarter = true): Promise<void> {
  if (existsSync(join(runDir, 'start.lock'))) {
    if (waitForStarter) await waitForStart(runDir);
    if (existsSync(join(runDir, READY))) stopCluster(JSON.parse(readFileSync(join(runDir, READY), 'utf8')) as ClusterInfo);
    else if (existsSync(join(runDir, 'data', 'postmaster.pid'))) {
      const binDir = findPostgresBinDir();
      if (binDir) stopCluster({ host: '', port: 0, user: 'postgres', dataDir: join(runDir, 'data'), binDir });
    }
  }
  rmSync(runDir, { recursive: true, force: true });
}
