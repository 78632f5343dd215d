// `npm run bench` — Galley against a bare Bun.serve + bun:sqlite server on the same 100k rows, measured in the
// same run, alternating bare and Galley round by round. Prints the table and writes bench-results/latest.json.
// Options: --quick (smoke run), --duration S, --warmup S, --concurrency C, --rounds R, --rows N,
//   --only get,list-skip,…,logging,hooks (scenarios; logging = get by id with the request log on ÷ off; hooks = create with a no-op
//   hook on each point ÷ without a hooks file), --no-build, --keep (keep the temp dir),
//   --galley PATH (measure that executable instead of dist/galley, e.g. an older build; no build step),
//   --source (run Galley from cli/src/main.ts under bun instead of dist/galley),
//   --cpu-prof (implies --source; writes bun's CPU profiles, .cpuprofile + .md, to bench-results/profile/; the logging
//   row's two servers are profiled too, on before off, and the realtime row's server).
// Realtime row: --realtime-subscribers N (default 1000, or GALLEY_BENCH_RT_SUBSCRIBERS; 10000 on demand),
//   --realtime-rate R creates/s (50), --realtime-duration S (10; --quick 3), --realtime-users U (20),
//   --no-realtime to skip it, --only realtime to run nothing else.
// PostgreSQL rows (opt-in, ~6 min at the defaults): --pg adds get by id, list 50 and create on PostgreSQL through one and two
//   instances beside the SQLite Galley (the bench's own throwaway cluster, fsync on; skipped with a line when no
//   PostgreSQL binaries); --only pg runs nothing else.
// Backup rows: creates alone, while `galley backup create` runs and while POST /api/backups runs, on a data.db of --backup-size GB (default 1);
//   --no-backup to skip it, --only backup (or realtime,backup) to run nothing else.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readLogTail, readPeakRssKb, readRssKb, readThreadCpuSeconds, runLoadProcess, stopServer } from './processes.ts';
import { formatTable, listCaveats, median, type ScenarioResult, type SideRound, summarizeScenario } from './report.ts';
import { LOGGING_ROW, SCENARIOS } from './scenarios.ts';
import { HOOKS_ROW, writeNoopHooksFile } from './hooks-cost.ts';
import { generateRows, seedBareDb } from './seed.ts';
import { type GalleyLaunch, type RunningServer, measureColdStarts, prepareGalleyDir, root, startBare, startGalley } from './servers.ts';
import { checkEquivalence } from './sanity.ts';
import { formatRealtimeRow, runRealtimeBench, type RealtimeBenchResult } from './realtime.ts';
import { formatLoginFlood, runLoginFlood } from './login-flood.ts';
import { formatBackupRow, runBackupBench, type BackupBenchResult } from './backup-load.ts';
import { formatPostgresRows, runPostgresBench } from './postgres-rows.ts';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    rows: { type: 'string' },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    galley: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'realtime-subscribers': { type: 'string' },
    'realtime-rate': { type: 'string' },
    'realtime-duration': { type: 'string' },
    'realtime-users': { type: 'string' },
    'no-realtime': { type: 'boolean', default: false },
    'backup-size': { type: 'string' },
    'no-backup': { type: 'boolean', default: false },
    pg: { type: 'boolean', default: false },
  },
});

const num = (value: string | undefined, fallback: number, name: string): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
};
const settings = {
  durationSec: num(opt.duration, opt.quick ? 1.5 : 10, 'duration'),
  warmupSec: num(opt.warmup, opt.quick ? 0.5 : 2, 'warmup'),
  concurrency: num(opt.concurrency, 32, 'concurrency'),
  rounds: num(opt.rounds, opt.quick ? 1 : 3, 'rounds'),
  rows: num(opt.rows, 100_000, 'rows'),
};
const only = opt.only?.split(',');
const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
const withRealtime = !opt['no-realtime'] && (!only || only.includes('realtime'));
const withLoggingRow = !only || only.includes('logging');
const withHooksRow = !only || only.includes('hooks');
const withBackup = !opt['no-backup'] && (!only || only.includes('backup'));
const withPostgres = opt.pg || (only?.includes('pg') ?? false);
const backupGb = num(opt['backup-size'], opt.quick ? 0.05 : 1, 'backup-size');
if (scenarios.length === 0 && !withRealtime && !withLoggingRow && !withHooksRow && !withBackup && !withPostgres) throw new Error(`--only matched no scenario (${[...SCENARIOS.map((s) => s.name), 'realtime', 'logging', 'hooks', 'backup', 'pg'].join(', ')})`);
/** `--only pg`: the PostgreSQL rows and their SQLite rows, none of the full bench's extras (cold starts, login flood). */
const postgresOnly = withPostgres && scenarios.length === 0 && !withLoggingRow && !withHooksRow;
const realtime = {
  subscribers: num(opt['realtime-subscribers'] ?? process.env['GALLEY_BENCH_RT_SUBSCRIBERS'], 1000, 'realtime-subscribers'),
  rate: num(opt['realtime-rate'], 50, 'realtime-rate'),
  durationSec: num(opt['realtime-duration'], opt.quick ? 3 : 10, 'realtime-duration'),
  users: num(opt['realtime-users'], 20, 'realtime-users'),
};
const fromSource = opt.source || opt['cpu-prof'];
const binary = opt.galley ?? join(root, 'dist', process.platform === 'win32' ? 'galley.exe' : 'galley');
const profileDir = join(root, 'bench-results', 'profile');

/** Rebuilds dist/galley when its sources changed; a failed build falls back to an existing binary. */
async function ensureBinary(): Promise<void> {
  if (fromSource || opt['no-build'] || opt.galley) {
    if (!fromSource && !existsSync(binary)) throw new Error(`${binary} is missing; run npm run build`);
    return;
  }
  const proc = Bun.spawn([process.execPath, join(root, 'scripts', 'build.ts')], { cwd: root, stdout: 'inherit', stderr: 'inherit' });
  if ((await proc.exited) === 0) return;
  if (!existsSync(binary)) throw new Error('bench: the build failed and there is no dist/galley to measure');
  console.warn('bench: the build failed; measuring the existing dist/galley, which may be stale');
}

/** Only the measured server gets the profiler, so the profile holds the scenarios and nothing else. */
function galleyCommand(profile: boolean, snapshot: string): string[] {
  if (!fromSource) return [snapshot];
  const prof = profile ? ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${profileDir}`] : [];
  return [process.execPath, ...prof, join(root, 'cli', 'src', 'main.ts')];
}

function gitHead(): string {
  const out = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { cwd: root });
  return out.success ? out.stdout.toString().trim() : 'unknown';
}

async function measureSide(server: RunningServer, scenarioName: (typeof SCENARIOS)[number]['name'], idsFile: string, label: string = server.name): Promise<SideRound> {
  const cpuBefore = readCpuSeconds(server.proc.pid);
  const threadsBefore = readThreadCpuSeconds(server.proc.pid);
  const result = await runLoadProcess({
    base: server.base, target: server.name, scenario: scenarioName, idsFile,
    concurrency: settings.concurrency, durationSec: settings.durationSec, warmupSec: settings.warmupSec,
  });
  const cpuAfter = readCpuSeconds(server.proc.pid);
  const threadsAfter = readThreadCpuSeconds(server.proc.pid);
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
    throw new Error(`${server.name} died during ${scenarioName} (${server.proc.exitCode ?? server.proc.signalCode}):\n${readLogTail(server.logFile, 40)}`);
  }
  if (result.aborted) throw new Error(`${server.name} stopped answering during ${scenarioName}: ${result.errorSamples.join('; ')}`);
  const serverCpuUs = cpuBefore === null || cpuAfter === null || result.allRequests === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / result.allRequests;
  const errorNote = result.errors ? `, ${result.errors} errors` : '';
  // where the server's CPU went, per request: its event loop, its worker threads (the log writer), the rest (JIT, GC)
  const perRequest = (k: 'main' | 'workers' | 'other'): string => (((threadsAfter![k] - threadsBefore![k]) * 1e6) / result.allRequests).toFixed(0);
  // the busiest other threads by name (a thread that ended meanwhile drops out; its time is then missing here)
  const otherNames = (): string => {
    const names = Object.entries(threadsAfter!.otherByName)
      .map(([name, s]) => [name, ((s - (threadsBefore!.otherByName[name] ?? 0)) * 1e6) / result.allRequests] as const)
      .filter(([, us]) => us >= 1)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    return names.length > 0 ? ` (${names.map(([name, us]) => `${name} ${us.toFixed(0)}`).join(', ')})` : '';
  };
  const split = threadsBefore && threadsAfter && result.allRequests > 0 ? `  cpu µs/req: main ${perRequest('main')}, workers ${perRequest('workers')}, other ${perRequest('other')}${otherNames()}` : '';
  console.log(`  ${label.padEnd(6)} ${Math.round(result.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${errorNote}${split}`);
  return { ...result, serverCpuUs };
}

/** All CPU time of a process so far, in seconds (every thread). */
function readAllThreadsCpu(server: RunningServer): number {
  const t = readThreadCpuSeconds(server.proc.pid);
  return t ? t.main + t.workers + t.other : (readCpuSeconds(server.proc.pid) ?? 0);
}

/**
 * Waits until every server has been quiet (at most one 10 ms clock tick of CPU in 500 ms: on a loaded box a busy
 * thread may get only a tenth of a core) or 60 s passed; returns the CPU seconds each used meanwhile. A server's
 * work put off past a round (the request log's staged batches) is done here, not during the other side's round,
 * and counted.
 */
async function waitUntilQuiet(servers: readonly RunningServer[]): Promise<number[]> {
  const start = servers.map(readAllThreadsCpu);
  const until = performance.now() + 60_000;
  for (;;) {
    const before = servers.map(readAllThreadsCpu);
    await Bun.sleep(500);
    const after = servers.map(readAllThreadsCpu);
    if (after.every((cpu, i) => cpu - before[i]! <= 0.0101) || performance.now() > until) return after.map((cpu, i) => cpu - start[i]!);
  }
}

/**
 * The request log's cost: get by id on Galley with logging on (the default) against a copy of the same data dir
 * with `logs.maxDays=0` (GALLEY_LOGS_MAX_DAYS=0), alternating as the other rows do; the "bare" column is the
 * logging-off Galley here. Before each round both servers are let go quiet: the log writer moves the batches it
 * staged during a round into `_logs` once the server is idle (logs/log-writer-worker.ts), and that work, counted
 * per request of the round before as `deferredCpuUs`, must not land in the other side's round.
 */
async function measureLoggingCost(launch: GalleyLaunch, tmp: string, idsFile: string, started: RunningServer[]): Promise<ScenarioResult> {
  const offDir = join(tmp, 'galley-logs-off');
  cpSync(launch.dir, offDir, { recursive: true });
  // with --cpu-prof both sides are profiled (their profiles side by side show what the request log costs)
  const command = opt['cpu-prof'] ? galleyCommand(true, '') : launch.command;
  const on = await startGalley({ ...launch, command });
  started.push(on);
  const off = await startGalley({ ...launch, command, dir: offDir, env: { GALLEY_LOGS_MAX_DAYS: '0' } });
  started.push(off);
  console.log(`${LOGGING_ROW.label} (bare column: ${LOGGING_ROW.bareNote})`);
  const result: ScenarioResult = { scenario: LOGGING_ROW, bare: [], galley: [] };
  for (let round = 0; round < settings.rounds; round++) {
    const sides = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
    for (const side of sides) {
      const [onAfter] = await waitUntilQuiet([on, off]);
      const lastOn = result.galley.at(-1);
      if (lastOn && lastOn.deferredCpuUs === undefined) lastOn.deferredCpuUs = (onAfter! * 1e6) / lastOn.allRequests;
      if (side === 'off') result.bare.push(await measureSide(off, 'get', idsFile, 'off'));
      else result.galley.push(await measureSide(on, 'get', idsFile, 'on'));
    }
  }
  const [onAfter] = await waitUntilQuiet([on, off]);
  const lastOn = result.galley.at(-1)!;
  if (lastOn.deferredCpuUs === undefined) lastOn.deferredCpuUs = (onAfter! * 1e6) / lastOn.allRequests;
  const deferred = result.galley.map((r) => r.deferredCpuUs!.toFixed(1)).join(', ');
  console.log(`  logging on: server CPU after each round, once idle (staged log batches moved into _logs): ${deferred} µs per request of the round`);
  for (const s of started.splice(0)) await stopServer(s.proc);
  return result;
}

/**
 * The hooks' cost: creates on Galley with a no-op handler on each point (serve --hooks) against a copy of the same
 * data dir without a hooks file, alternating as the other rows do; the "bare" column is the Galley without hooks.
 */
async function measureHooksCost(launch: GalleyLaunch, tmp: string, idsFile: string, started: RunningServer[]): Promise<ScenarioResult> {
  const offDir = join(tmp, 'galley-hooks-off');
  const onDir = join(tmp, 'galley-hooks-on');
  cpSync(launch.dir, offDir, { recursive: true });
  cpSync(launch.dir, onDir, { recursive: true });
  const on = await startGalley({ ...launch, dir: onDir, extraArgs: ['--hooks', writeNoopHooksFile(tmp)] });
  started.push(on);
  const off = await startGalley({ ...launch, dir: offDir });
  started.push(off);
  console.log(`${HOOKS_ROW.label} (bare column: ${HOOKS_ROW.bareNote})`);
  const result: ScenarioResult = { scenario: HOOKS_ROW, bare: [], galley: [] };
  for (let round = 0; round < settings.rounds; round++) {
    const sides = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
    for (const side of sides) {
      if (side === 'off') result.bare.push(await measureSide(off, 'create', idsFile, 'none'));
      else result.galley.push(await measureSide(on, 'create', idsFile, 'hooks'));
    }
  }
  for (const s of started.splice(0)) await stopServer(s.proc);
  return result;
}

/** The realtime row on its own server (its own schema and data dir). */
async function measureRealtime(tmp: string, snapshot: string): Promise<RealtimeBenchResult> {
  console.log(`realtime: ${realtime.subscribers} subscribers, ${realtime.rate} creates/s for ${realtime.durationSec}s …`);
  // with --cpu-prof the realtime server is profiled too: where a message's CPU goes at 10k subscribers
  if (opt['cpu-prof']) mkdirSync(profileDir, { recursive: true });
  const result = await runRealtimeBench({ command: galleyCommand(opt['cpu-prof'], snapshot), tmp, ...realtime });
  console.log(formatRealtimeRow(result));
  if (opt['cpu-prof']) console.log(`realtime server's CPU profile: ${profileDir} (the .md files list functions by self time)`);
  return result;
}

/** The backup row on its own server and data dir (the bench schema, grown to --backup-size). */
async function measureBackup(tmp: string, snapshot: string): Promise<BackupBenchResult> {
  console.log(`backup: growing a data.db to ${backupGb} GB, then creates alone, during galley backup create and during POST /api/backups …`);
  const result = await runBackupBench({ command: galleyCommand(false, snapshot), tmp, sizeBytes: backupGb * 1024 ** 3, concurrency: 16, baselineSec: opt.quick ? 2 : 5 });
  console.log(formatBackupRow(result));
  return result;
}

async function mainRealtimeOnly(): Promise<void> {
  await ensureBinary();
  const tmp = mkdtempSync(join(tmpdir(), 'galley-bench-'));
  const snapshot = join(tmp, 'galley-bin');
  if (!fromSource) copyFileSync(binary, snapshot);
  const result = withRealtime ? await measureRealtime(tmp, snapshot) : null;
  const backup = withBackup ? await measureBackup(tmp, snapshot) : null;
  const out = join(root, 'bench-results', withRealtime ? 'realtime.json' : 'backup.json');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), commit: gitHead(), bun: Bun.version, cpus: cpus().length, realtime: result, backup }, null, 2)}\n`);
  console.log(`results: ${out}`);
  if (!opt.keep) rmSync(tmp, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (scenarios.length === 0 && !withLoggingRow && !withHooksRow && !withPostgres) return mainRealtimeOnly();
  await ensureBinary();
  const tmp = mkdtempSync(join(tmpdir(), 'galley-bench-'));
  const started: RunningServer[] = [];
  let failed = true;
  try {
    console.log(`bench: ${settings.rows} rows, ${settings.concurrency} connections, ${settings.rounds} round(s) of ${settings.durationSec}s (+${settings.warmupSec}s warm-up) per side; temp ${tmp}`);
    const rows = generateRows(settings.rows);
    const idsFile = join(tmp, 'ids.txt');
    writeFileSync(idsFile, rows.map((r) => r.id).join('\n'));
    mkdirSync(join(tmp, 'bare'));
    seedBareDb(join(tmp, 'bare', 'bare.db'), rows);
    if (opt['cpu-prof']) mkdirSync(profileDir, { recursive: true });
    // a private copy: a rebuild of dist/galley during the run (tests build it too) would crash a running binary
    const snapshot = join(tmp, 'galley-bin');
    if (!fromSource) copyFileSync(binary, snapshot);
    const launch: GalleyLaunch = { command: galleyCommand(false, snapshot), dir: join(tmp, 'galley'), logDir: tmp };
    await prepareGalleyDir(launch, rows);

    const bare = await startBare(join(tmp, 'bare', 'bare.db'), tmp);
    started.push(bare);
    const galley = await startGalley({ ...launch, command: galleyCommand(opt['cpu-prof'], snapshot) });
    started.push(galley);
    await Bun.sleep(1000);
    const idleRssKb = readRssKb(galley.proc.pid);
    await checkEquivalence(bare, galley, rows);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      console.log(`${scenario.label}${scenario.bareNote ? ` (bare: ${scenario.bareNote})` : ''}`);
      const result: ScenarioResult = { scenario, bare: [], galley: [] };
      for (let round = 0; round < settings.rounds; round++) {
        const order = round % 2 === 0 ? [bare, galley] : [galley, bare];
        for (const server of order) result[server.name].push(await measureSide(server, scenario.name, idsFile));
      }
      results.push(result);
    }
    const peakRssKb = readPeakRssKb(galley.proc.pid);
    for (const s of started.splice(0)) await stopServer(s.proc);
    if (withLoggingRow) results.push(await measureLoggingCost(launch, tmp, idsFile, started));
    if (withHooksRow) results.push(await measureHooksCost(launch, tmp, idsFile, started));
    const postgresResult = withPostgres ? await runPostgresBench({ sqliteLaunch: launch, tmp, rows, idsFile, settings }) : null;

    const coldSeeded = postgresOnly ? [] : await measureColdStarts(launch, 5);
    const coldEmpty = postgresOnly ? [] : await measureColdStarts({ ...launch, dir: join(tmp, 'galley-empty') }, 5);
    const binaryBytes = fromSource ? null : statSync(snapshot).size;

    const realtimeResult = withRealtime ? await measureRealtime(tmp, snapshot) : null;
    const backupResult = withBackup ? await measureBackup(tmp, snapshot) : null;

    const summaries = results.map(summarizeScenario);
    if (summaries.length) console.log(`\n${formatTable(summaries)}`);
    if (postgresResult) console.log(`\n${formatPostgresRows(postgresResult)}`);
    if (realtimeResult) console.log(formatRealtimeRow(realtimeResult));
    if (backupResult) console.log(formatBackupRow(backupResult));
    if (summaries.length) console.log('ratio = median over rounds of (galley req/s ÷ bare req/s in the same round); cpu µs/req = server CPU time per request (warm-up included)');
    const logging = results.find((r) => r.scenario === LOGGING_ROW);
    if (logging) {
      const deferred = median(logging.galley.map((r) => r.deferredCpuUs ?? 0));
      console.log(`request log: besides the cpu µs/req above, ${deferred.toFixed(1)} µs per request once the round was over (batches staged while busy, moved into _logs when idle)`);
    }
    const mb = (kb: number | null): string => (kb === null ? '-' : `${(kb / 1024).toFixed(1)} MB`);
    if (!postgresOnly) console.log(`cold start${fromSource ? ' (from source, not the binary)' : ''} (spawn → first 200 on /api/health, median of 5): ${median(coldSeeded).toFixed(0)} ms on the ${settings.rows}-row data dir, ${median(coldEmpty).toFixed(0)} ms on an empty one`);
    if (!postgresOnly) console.log(`galley RSS: idle after start ${mb(idleRssKb)}, peak during the run ${mb(peakRssKb)}`);
    if (!postgresOnly) console.log(`binary size: ${binaryBytes === null ? '(from source)' : `${(binaryBytes / 1024 / 1024).toFixed(1)} MB`}`);
    if (!postgresOnly) console.log(formatLoginFlood(await runLoginFlood({ command: launch.command, logins: opt.quick ? 100 : 500 })));
    const caveats = listCaveats(results, summaries);
    if (caveats.length) console.log(`\ncaveats:\n- ${caveats.join('\n- ')}`);
    if (opt['cpu-prof']) console.log(`\nCPU profiles of the Galley processes: ${profileDir} (the .md files list functions by self time)`);

    // --only pg leaves a full run's latest.json alone
    const out = join(root, 'bench-results', postgresOnly ? 'postgres.json' : 'latest.json');
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(out, `${JSON.stringify({
      date: new Date().toISOString(), commit: gitHead(), bun: Bun.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '',
      galley: fromSource ? 'source' : binary, settings, summaries, results,
      coldStartMs: { seeded: coldSeeded, empty: coldEmpty, medianSeeded: median(coldSeeded), medianEmpty: median(coldEmpty) },
      idleRssKb, peakRssKb, binaryBytes, realtime: realtimeResult, backup: backupResult, postgres: postgresResult,
    }, null, 2)}\n`);
    console.log(`\nresults: ${out}`);
    failed = false;
  } finally {
    for (const s of started) await stopServer(s.proc);
    // a failed run keeps its data dirs and server logs for a look
    if (!opt.keep && !failed) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp} (databases, server logs)`);
  }
}

await main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
