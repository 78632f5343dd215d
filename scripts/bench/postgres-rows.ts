// The PostgreSQL rows of `npm run bench` (issue 17): get by id, list 50 and create on the same 100k rows, through
// one Galley on PostgreSQL and through two (two `serve --database` processes on one database, the load generator's
// connections split between them), beside the SQLite Galley measured in the same rounds. There is no target: the
// ratio to the SQLite row is printed for information. The cluster is the bench's own, started here and thrown away,
// with fsync and synchronous commit ON: a create answered before its commit is durable would measure nothing worth
// comparing with SQLite's FULL commit.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
// the tests' cluster recipe (initdb as the postgres user when root, a free port, C locale), one place for both
import { findPostgresBinDir, startCluster, stopCluster, type ClusterInfo } from '../../server/test/helpers/postgres-cluster.ts';
import { readCpuSeconds, readLogTail, runLoadProcess, stopServer } from './processes.ts';
import { median } from './report.ts';
import type { ScenarioName } from './scenarios.ts';
import type { BenchRow } from './seed.ts';
import { type GalleyLaunch, type RunningServer, startGalley } from './servers.ts';

export interface PostgresBenchSettings {
  concurrency: number;
  durationSec: number;
  warmupSec: number;
  rounds: number;
}

type Side = 'sqlite' | 'pg1' | 'pg2';
const SIDES: readonly Side[] = ['sqlite', 'pg1', 'pg2'];
const ROWS: readonly { name: ScenarioName; label: string }[] = [
  { name: 'get', label: 'get by id (view rule)' },
  { name: 'list-skip', label: 'list 50, skipTotal' },
  { name: 'create', label: 'create (fsync on / FULL)' },
];

export interface PostgresSideRound {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorSamples: string[];
  /** Galley's CPU per request (both processes for two instances), µs. */
  galleyCpuUs: number | null;
  /** PostgreSQL's CPU per request (the postmaster and its backends), µs; null on the SQLite side. */
  postgresCpuUs: number | null;
}

export interface PostgresRow {
  name: ScenarioName;
  label: string;
  rounds: Record<Side, PostgresSideRound[]>;
}

export type PostgresBenchResult = { skipped: string } | { rows: PostgresRow[]; postgresVersion: string };

// never reached: nothing here uploads a file, but several instances must not serve local files
const S3_ENV = { GALLEY_S3_BUCKET: 'galley-bench', GALLEY_S3_REGION: 'us-east-1', GALLEY_S3_ENDPOINT: 'http://127.0.0.1:9', GALLEY_S3_ACCESS_KEY: 'k', GALLEY_S3_SECRET: 's' };

/** CPU seconds of the cluster so far: the postmaster and every process it started (backends, checkpointer, WAL writer). */
function postgresCpuSeconds(cluster: ClusterInfo): number {
  const postmaster = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(entry) !== postmaster && Number(fields[1]) !== postmaster) continue;
    // a backend that ended meanwhile takes its time with it: a connection pool keeps them, so little is missed
    total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

/** The bench rows into Galley's `items` table on PostgreSQL (created by the first start), in batches. */
async function seedPostgres(url: string, rows: readonly BenchRow[]): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < rows.length; i += 5000) {
      const batch = rows.slice(i, i + 5000);
      await client.query(
        'INSERT INTO items (id, category, body, created, updated) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])',
        [batch.map((r) => r.id), batch.map((r) => r.category), batch.map((r) => r.body), batch.map((r) => r.created), batch.map((r) => r.updated)],
      );
    }
    await client.query('ANALYZE items');
    return ((await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?');
  } finally {
    await client.end();
  }
}

async function measure(servers: readonly RunningServer[], cluster: ClusterInfo | null, scenario: ScenarioName, idsFile: string, s: PostgresBenchSettings): Promise<PostgresSideRound> {
  const cpu = (): number | null => {
    let sum = 0;
    for (const server of servers) {
      const c = readCpuSeconds(server.proc.pid);
      if (c === null) return null;
      sum += c;
    }
    return sum;
  };
  const galleyBefore = cpu();
  const pgBefore = cluster ? postgresCpuSeconds(cluster) : 0;
  const result = await runLoadProcess({
    base: servers.map((x) => x.base).join(','), target: 'galley', scenario, idsFile,
    concurrency: s.concurrency, durationSec: s.durationSec, warmupSec: s.warmupSec,
  });
  const galleyAfter = cpu();
  const pgAfter = cluster ? postgresCpuSeconds(cluster) : 0;
  for (const server of servers) {
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`a Galley died during ${scenario}:\n${readLogTail(server.logFile, 40)}`);
  }
  if (result.aborted) throw new Error(`Galley stopped answering during ${scenario}: ${result.errorSamples.join('; ')}`);
  const per = (seconds: number): number | null => (result.allRequests === 0 ? null : (seconds * 1e6) / result.allRequests);
  return {
    rps: result.rps, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, errorSamples: result.errorSamples,
    galleyCpuUs: galleyBefore === null || galleyAfter === null ? null : per(galleyAfter - galleyBefore),
    postgresCpuUs: cluster ? per(pgAfter - pgBefore) : null,
  };
}

/**
 * `sqliteLaunch` is the bench's seeded SQLite Galley (stopped); `rows` are the same rows, put into PostgreSQL here.
 * Per round the three sides run one after another, the order rotated, as the other rows alternate.
 */
export async function runPostgresBench(opts: { sqliteLaunch: GalleyLaunch; tmp: string; rows: readonly BenchRow[]; idsFile: string; settings: PostgresBenchSettings }): Promise<PostgresBenchResult> {
  const binDir = findPostgresBinDir();
  if (!binDir) return { skipped: 'no PostgreSQL binaries (apt-get install postgresql, or GALLEY_TEST_PG_BIN=<dir of initdb>)' };
  // not under opts.tmp: mkdtemp's 0700 dir is closed to the postgres user the cluster runs as (when we are root)
  const runDir = mkdtempSync(join(tmpdir(), 'galley-bench-pg-'));
  const started: RunningServer[] = [];
  let cluster: ClusterInfo | null = null;
  try {
    cluster = await startCluster(runDir, binDir, { durable: true });
    const url = `postgres://${cluster.user}@${cluster.host}:${cluster.port}/postgres`;
    const pgLaunch = (name: string): GalleyLaunch => {
      const dir = join(opts.tmp, name);
      mkdirSync(dir, { recursive: true });
      return { ...opts.sqliteLaunch, dir, extraArgs: ['--database', url], env: S3_ENV };
    };
    // one after the other: the first creates the table, the second finds the schema applied
    const a = await startGalley(pgLaunch('galley-pg-a'));
    started.push(a);
    const postgresVersion = await seedPostgres(url, opts.rows);
    const b = await startGalley(pgLaunch('galley-pg-b'));
    started.push(b);
    const sqlite = await startGalley(opts.sqliteLaunch);
    started.push(sqlite);
    // pg1: A alone takes the load (B stays up, hearing A's creates over LISTEN as a second instance does)
    const sides: Record<Side, { servers: RunningServer[]; cluster: ClusterInfo | null; name: string }> = {
      sqlite: { servers: [sqlite], cluster: null, name: 'sqlite' },
      pg1: { servers: [a], cluster, name: 'pg ×1' },
      pg2: { servers: [a, b], cluster, name: 'pg ×2' },
    };
    const out: PostgresRow[] = [];
    for (const row of ROWS) {
      console.log(`postgres rows: ${row.label}`);
      const result: PostgresRow = { ...row, rounds: { sqlite: [], pg1: [], pg2: [] } };
      for (let round = 0; round < opts.settings.rounds; round++) {
        const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
        for (const side of order) {
          const r = await measure(sides[side].servers, sides[side].cluster, row.name, opts.idsFile, opts.settings);
          result.rounds[side].push(r);
          const cpu = `galley ${r.galleyCpuUs?.toFixed(0) ?? '-'}${r.postgresCpuUs === null ? '' : ` + postgres ${r.postgresCpuUs.toFixed(0)}`} cpu µs/req`;
          console.log(`  ${sides[side].name.padEnd(6)} ${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ${cpu}${r.errors ? `, ${r.errors} errors: ${r.errorSamples[0]}` : ''}`);
        }
      }
      out.push(result);
    }
    return { rows: out, postgresVersion };
  } finally {
    for (const s of started) await stopServer(s.proc);
    if (cluster) stopCluster(cluster);
    rmSync(runDir, { recursive: true, force: true });
  }
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-');
const us = (values: readonly (number | null)[]): string => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? int(median(known)) : '-';
};

/** The PostgreSQL rows as a table; ratio = median over rounds of (PostgreSQL req/s ÷ SQLite req/s of the same round). */
export function formatPostgresRows(result: PostgresBenchResult): string {
  if ('skipped' in result) return `postgres rows: skipped, ${result.skipped}`;
  const head = ['postgres rows (fsync on)', 'sqlite req/s', 'pg ×1 req/s', 'ratio', 'pg ×2 req/s', 'ratio', 'p99 ms s/1/2', 'cpu µs/req s / 1 g+pg / 2 g+pg'];
  const body = result.rows.map((row) => {
    const rps = (side: Side): number => median(row.rounds[side].map((r) => r.rps));
    const ratio = (side: Side): number => median(row.rounds[side].map((r, i) => r.rps / row.rounds.sqlite[i]!.rps));
    const p99 = SIDES.map((side) => median(row.rounds[side].map((r) => r.p99Ms)).toFixed(1)).join(' / ');
    const cpu = [
      us(row.rounds.sqlite.map((r) => r.galleyCpuUs)),
      `${us(row.rounds.pg1.map((r) => r.galleyCpuUs))}+${us(row.rounds.pg1.map((r) => r.postgresCpuUs))}`,
      `${us(row.rounds.pg2.map((r) => r.galleyCpuUs))}+${us(row.rounds.pg2.map((r) => r.postgresCpuUs))}`,
    ].join(' / ');
    const errors = SIDES.reduce((n, side) => n + row.rounds[side].reduce((m, r) => m + r.errors, 0), 0);
    return [`${row.label}${errors ? ` (${errors} ERRORS)` : ''}`, int(rps('sqlite')), int(rps('pg1')), pct(ratio('pg1')), int(rps('pg2')), pct(ratio('pg2')), p99, cpu];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line),
    `PostgreSQL ${result.postgresVersion}, the bench's own cluster on this machine; ratio = median over rounds of (PostgreSQL req/s ÷ the SQLite Galley's in the same round), no target; ×2 = two serve --database processes, the connections split between them; cpu = Galley's processes + PostgreSQL's (postmaster and backends) per request`,
  ].join('\n');
}
