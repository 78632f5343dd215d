/**
 * Replays PocketBase's own API scenarios (`apis/*_test.go`, read from a PocketBase checkout that is not committed
 * here) over HTTP against Galley, on PocketBase's test fixture (`tests/data`) brought in by `galley import pocketbase`,
 * and reports the share that pass as PocketBase's ApiScenario judges them: the status, every ExpectedContent
 * fragment in the body, no NotExpectedContent fragment, an empty body when neither is given. Events and AfterTestFunc
 * checks are Go-side and not replayed. Each scenario that may write runs on a fresh copy of the imported data
 * directory; reads share one. Not part of `npm test`.
 *
 *   bun scripts/pb-replay/replay.ts <pocketbase checkout> [--filter TEXT] [--out report.json]
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGalley, importPocketbase, type Galley } from '../../server/src/index.ts';
import { createLogger } from '../../server/src/lib/log.ts';
import { parseScenarios, type PbScenario } from './parse-scenarios.ts';

interface Outcome {
  file: string;
  name: string;
  pass: boolean;
  why?: string;
}

const args = process.argv.slice(2);
const checkout = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--filter' && args[args.indexOf(a) - 1] !== '--out');
if (!checkout) {
  process.stderr.write('usage: bun scripts/pb-replay/replay.ts <pocketbase checkout> [--filter TEXT] [--out report.json]\n');
  process.exit(2);
}
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const filter = option('--filter');
const outFile = option('--out') ?? join(tmpdir(), 'pb-replay-report.json');

const root = mkdtempSync(join(tmpdir(), 'pb-replay-'));
const base = join(root, 'base');
const schemaFile = join(root, 'schema.json');
const quiet = createLogger('error', () => {});

/** Go's JSON encoder writes <, > and & as \u003c, \u003e, \u0026; fragments copied from its output say so. */
const goEscaped = (body: string) => body.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/** PocketBase's ApiScenario checks, on Galley's answer. */
function judge(s: PbScenario, status: number, body: string): string | undefined {
  if (status !== s.status) return `status ${status}, expected ${s.status}: ${body.slice(0, 300)}`;
  if (s.contains.length === 0 && s.notContains.length === 0) return body.length === 0 ? undefined : `expected an empty body: ${body.slice(0, 200)}`;
  const escaped = goEscaped(body);
  const missing = s.contains.find((c) => !body.includes(c) && !escaped.includes(c));
  if (missing !== undefined) return `missing ${missing}: ${body.slice(0, 300)}`;
  const present = s.notContains.find((c) => body.includes(c) || escaped.includes(c));
  if (present !== undefined) return `unexpected ${present}`;
  return undefined;
}

async function send(galley: Galley, s: PbScenario): Promise<{ status: number; body: string }> {
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const [k, v] of Object.entries(s.headers)) headers.set(k, v.trim());
  const init: RequestInit = { method: s.method, headers };
  if (s.body !== undefined && s.method !== 'GET' && s.method !== 'HEAD') init.body = s.body;
  const res = await galley.handle(new Request(`http://example.com${s.url}`, init));
  return { status: res.status, body: await res.text() };
}

/** A fresh copy of the imported data dir and its schema file, served with the collections API writable (`--dev`). */
async function openCopy(name: string): Promise<{ galley: Galley; dir: string }> {
  const dir = join(root, name);
  cpSync(base, join(dir, 'data'), { recursive: true });
  cpSync(schemaFile, join(dir, 'schema.json'));
  return { galley: await createGalley({ dir: join(dir, 'data'), schemaFile: join(dir, 'schema.json'), dev: true, logger: quiet }), dir };
}

async function main(): Promise<void> {
  const { scenarios, skipped } = parseScenarios(checkout!);
  const chosen = filter ? scenarios.filter((s) => `${s.file} ${s.name}`.includes(filter)) : scenarios;
  const report = await importPocketbase({ pbData: join(checkout!, 'tests', 'data'), dir: base, schemaOut: schemaFile });
  for (const e of report.envSecrets) process.env[e.name] = e.value;

  const outcomes: Outcome[] = [];
  const reads = await openCopy('reads');
  let n = 0;
  for (const s of chosen) {
    const readOnly = s.method === 'GET' || s.method === 'HEAD';
    const target = readOnly ? reads : await openCopy(`run-${n++}`);
    try {
      const res = await send(target.galley, s);
      const why = judge(s, res.status, res.body);
      outcomes.push({ file: s.file, name: s.name, pass: why === undefined, why });
    } catch (err) {
      outcomes.push({ file: s.file, name: s.name, pass: false, why: `threw: ${(err as Error).message}` });
    } finally {
      if (!readOnly) {
        await target.galley.close();
        rmSync(target.dir, { recursive: true, force: true });
      }
    }
  }
  await reads.galley.close();
  rmSync(root, { recursive: true, force: true });

  const passed = outcomes.filter((o) => o.pass).length;
  const byFile = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes) {
    const f = byFile.get(o.file) ?? { pass: 0, total: 0 };
    f.total++;
    if (o.pass) f.pass++;
    byFile.set(o.file, f);
  }
  const lines = [...byFile].map(([file, f]) => `${String(f.pass).padStart(4)} / ${String(f.total).padEnd(4)} ${file}`);
  const share = outcomes.length ? ((100 * passed) / outcomes.length).toFixed(1) : '0';
  process.stdout.write(`${lines.join('\n')}\n\n${passed} of ${outcomes.length} replayable scenarios pass (${share} %); ${skipped.length} not replayable (Go setup code or non-literal input).\n`);
  writeFileSync(outFile, JSON.stringify({ passed, replayed: outcomes.length, share: Number(share), notReplayable: skipped, failures: outcomes.filter((o) => !o.pass) }, null, 2));
  process.stdout.write(`Failures and skipped scenarios: ${outFile}\n`);
}

await main();
