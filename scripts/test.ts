// `npm test`: svelte-check over admin-ui, the Bun project, the Node project, the PostgreSQL run (Bun), then build + the
// e2e project against dist/galley. They run in two lanes side by side (svelte, Bun, PostgreSQL | Node, build, e2e):
// most of a stage's time is spent waiting (sockets, child processes, a PostgreSQL cluster), so one stage alone leaves
// CI's 2 cores partly idle. A stage's output is held and printed whole when it ends, so the two never interleave.
// Prints one final line `N passed, N failed[, N skipped]` and exits non-zero if any test failed or a stage crashed.
// Extra arguments are handed to every vitest run as filters: `npm test -- server/src/query`. The configs fail a
// run that matches no file, so a stage the filters match nothing in is skipped (asked first with `vitest list`),
// and a filter that matches nothing in any stage fails the run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBinary } from './build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface StageResult extends Counts {
  name: string;
  /** why the stage could not report honestly (did not start, no report, non-zero exit without a failing test) */
  crash?: string;
  /** the filters match no test file of this stage: it did not run */
  unmatched?: boolean;
  seconds: number;
}

/** The subset of vitest's JSON reporter (jest-compatible) read here. */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
}

/** Counts from a report; a file that failed without a failing test (import error, crash in a hook) counts as one failure. */
export function countReport(report: VitestReport): Counts & { brokenFiles: string[] } {
  const brokenFiles = report.testResults
    .filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'))
    .map((f) => f.name);
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles.length,
    skipped: report.numPendingTests + report.numTodoTests,
    brokenFiles,
  };
}

/** Where a stage prints: held while it runs, written out whole when it ends (see the header). */
type Print = (text: string) => void;

/** A stage's output, held; `flush` writes it to stdout at once. */
function holdOutput(): { print: Print; flush: () => void } {
  const held: string[] = [];
  return { print: (text) => void held.push(text), flush: () => void process.stdout.write(held.splice(0).join('')) };
}

/** Runs `cmd` with its stdout and stderr handed to `print` line by line (a line is never split between the two). */
async function spawnInto(cmd: string[], cwd: string, print: Print): Promise<number> {
  const proc = Bun.spawn(cmd, { cwd, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let pending = '';
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      pending += decoder.decode(read.value, { stream: true });
      const cut = pending.lastIndexOf('\n') + 1;
      if (cut > 0) {
        print(pending.slice(0, cut));
        pending = pending.slice(cut);
      }
    }
    if (pending) print(pending + '\n');
  };
  await Promise.all([drain(proc.stdout), drain(proc.stderr)]);
  return proc.exited;
}

async function runVitest(name: string, runtime: string[], config: string, filters: string[], out: string, print: Print): Promise<StageResult> {
  const started = performance.now();
  const report = join(out, `${name}.json`);
  const cmd = [...runtime, vitestBin, 'run', '--config', config, '--reporter=default', '--reporter=json',
    `--outputFile.json=${report}`, ...filters];
  print(`\n━━ ${name}: ${cmd.map((c) => c.replace(root + '/', '')).join(' ')}\n`);
  const seconds = () => (performance.now() - started) / 1000;
  let code: number;
  try {
    code = await spawnInto(cmd, root, print);
  } catch (err) {
    return { name, passed: 0, failed: 0, skipped: 0, crash: `could not start: ${String(err)}`, seconds: seconds() };
  }
  if (!existsSync(report)) {
    return { name, passed: 0, failed: 0, skipped: 0, crash: `exited ${code} without a report`, seconds: seconds() };
  }
  const counts = countReport(JSON.parse(readFileSync(report, 'utf8')) as VitestReport);
  for (const file of counts.brokenFiles) print(`${name}: ${file} failed outside any test\n`);
  const result: StageResult = { name, passed: counts.passed, failed: counts.failed, skipped: counts.skipped, seconds: seconds() };
  // e.g. an unhandled rejection: vitest fails the run although every test passed
  if (code !== 0 && counts.failed === 0) result.crash = `exited ${code} with no failing test (unhandled error?)`;
  return result;
}

/**
 * Whether `filters` match any test file of a stage, by the stage's own config (`vitest list --filesOnly`, which
 * neither runs tests nor a global setup); undefined when that cannot be told (the stage then runs and reports).
 */
async function matchesAnyFile(runtime: string[], config: string, filters: string[]): Promise<boolean | undefined> {
  if (filters.length === 0) return true;
  try {
    const proc = Bun.spawn([...runtime, vitestBin, 'list', '--filesOnly', '--json', '--config', config, ...filters],
      { cwd: root, stdout: 'pipe', stderr: 'ignore', stdin: 'ignore' });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    if (code !== 0) return undefined;
    const files = JSON.parse(out.slice(out.indexOf('['))) as unknown[];
    return files.length > 0;
  } catch {
    return undefined;
  }
}

/** Run a stage unless the filters match none of its files; its output is printed when it ends. */
async function runStage(name: string, runtime: string[], config: string, filters: string[], out: string, before?: () => Promise<StageResult>): Promise<StageResult[]> {
  if ((await matchesAnyFile(runtime, config, filters)) === false) {
    console.log(`\n━━ ${name}: skipped, no test file matches ${filters.join(' ')}`);
    return [{ name, passed: 0, failed: 0, skipped: 0, unmatched: true, seconds: 0 }];
  }
  const prior = before ? await before() : undefined;
  if (prior?.crash) return [prior, { name, passed: 0, failed: 0, skipped: 0, crash: `not run: the ${prior.name} failed`, seconds: 0 }];
  console.log(`\n━━ ${name}: started (its output follows when it ends)`);
  const output = holdOutput();
  try {
    return [...(prior ? [prior] : []), await runVitest(name, runtime, config, filters, out, output.print)];
  } finally {
    output.flush();
  }
}

async function runBuild(): Promise<StageResult> {
  const started = performance.now();
  console.log('\n━━ build: dist/galley');
  try {
    await buildBinary();
    return { name: 'build', passed: 0, failed: 0, skipped: 0, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    const crash = err instanceof Error ? err.message : String(err);
    return { name: 'build', passed: 0, failed: 0, skipped: 0, crash, seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * svelte-check over admin-ui (types in `.svelte` files and the dashboard's `.ts`, which the root tsconfig leaves
 * out). Runs when there are no filters or one names admin-ui; a non-zero exit (an error found) is a crash.
 */
async function runSvelteCheck(node: string | undefined, filters: string[]): Promise<StageResult[]> {
  if (filters.length > 0 && !filters.some((f) => f.startsWith('admin-ui'))) return [];
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const result = (crash?: string): StageResult[] => [{ name: 'svelte', passed: 0, failed: 0, skipped: 0, seconds: seconds(), ...(crash ? { crash } : {}) }];
  if (!node) return result('node not found on PATH');
  console.log('\n━━ svelte: started (its output follows when it ends)');
  const output = holdOutput();
  output.print('\n━━ svelte: svelte-check in admin-ui\n');
  try {
    const code = await spawnInto([node, join(root, 'node_modules', 'svelte-check', 'bin', 'svelte-check'), '--tsconfig', './tsconfig.json', '--output', 'human'],
      join(root, 'admin-ui'), output.print);
    return result(code === 0 ? undefined : `svelte-check found errors (exit ${code})`);
  } finally {
    output.flush();
  }
}

/** Stages in order, one after another; a lane runs beside the other. */
async function runLane(stages: (() => Promise<StageResult[]>)[]): Promise<StageResult[]> {
  const results: StageResult[] = [];
  for (const stage of stages) results.push(...await stage());
  return results;
}

function findNode(): string | undefined {
  return Bun.which('node') ?? undefined;
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const out = mkdtempSync(join(tmpdir(), 'galley-test-'));
  const stages: StageResult[] = [];
  try {
    const node = findNode();
    const [first, second] = await Promise.all([
      runLane([
        () => runSvelteCheck(node, filters),
        () => runStage('bun', [process.execPath, '--bun'], 'vitest.bun.config.ts', filters, out),
        // issue 17's proof: the route and HTTP files a third time, their Galleys on PostgreSQL (vitest.postgres.config.ts)
        () => runStage('postgres', [process.execPath, '--bun'], 'vitest.postgres.config.ts', filters, out),
      ]),
      runLane([
        async () => node
          ? await runStage('node', [node], 'vitest.node.config.ts', filters, out)
          : [{ name: 'node', passed: 0, failed: 0, skipped: 0, crash: 'node not found on PATH', seconds: 0 }],
        // the binary is built only when an e2e file is to run
        () => runStage('e2e', [process.execPath, '--bun'], 'vitest.e2e.config.ts', filters, out, runBuild),
      ]),
    ]);
    // the summary keeps the stages' usual order, whichever lane ran them
    const order = ['svelte', 'bun', 'node', 'postgres', 'build', 'e2e'];
    stages.push(...[...first, ...second].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  // a mistyped filter must not pass on zero tests
  if (stages.every((s) => s.unmatched || s.name === 'build' || s.name === 'svelte')) {
    stages.push({ name: 'filter', passed: 0, failed: 0, skipped: 0, crash: `no test file in any stage matches ${filters.join(' ')}`, seconds: 0 });
  }

  console.log('\n━━ summary');
  for (const s of stages) {
    const what = s.unmatched ? 'skipped: no file matches the filters' : s.name === 'build' || s.name === 'svelte' ? 'ok' : `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
    console.log(`  ${s.name.padEnd(6)} ${s.crash ? `CRASHED: ${s.crash}` : what} (${s.seconds.toFixed(1)}s)`);
  }
  // a crashed stage counts as one failure, so the last line never reads "0 failed" on a red run
  const total = stages.reduce((t, s) => ({
    passed: t.passed + s.passed,
    failed: t.failed + s.failed + (s.crash && s.failed === 0 ? 1 : 0),
    skipped: t.skipped + s.skipped,
  }), { passed: 0, failed: 0, skipped: 0 });
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  return total.failed > 0 ? 1 : 0;
}

if (import.meta.main) process.exit(await main());
