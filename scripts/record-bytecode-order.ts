// `bun scripts/record-bytecode-order.ts [--galley BIN]` — records which functions a `galley serve` start and its
// first requests run, into scripts/galley-serve.order, which scripts/build.ts passes to `bun build --bytecode-order`:
// the bytecode a start uses is laid out together at the front of the embedded code, so a start reads and decodes
// less of it (idle RSS, docs/operations-start.md). The profile holds function hashes, not source; a function edited
// since the recording is placed after the recorded ones, so an old profile still works: record again when the
// start path changes a lot. The run: a first start creates the bench schema's tables (not recorded), then a restart
// on that data dir (the common start: nothing to migrate) is recorded, with get, list, create and 404 requests and
// 4 s of idling after them (the orphan sweep, the request log's first batch and its writer thread).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBinary, BYTECODE_ORDER_FILE } from './build.ts';
import { stopServer } from './bench/processes.ts';
import { generateRows } from './bench/seed.ts';
import { prepareGalleyDir, startGalley } from './bench/servers.ts';

const { values: opt } = parseArgs({ options: { galley: { type: 'string' } } });

async function expectOk(base: string, path: string, init?: RequestInit, status = 200): Promise<unknown> {
  const res = await fetch(base + path, init);
  const body = await res.json();
  if (res.status !== status) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status}, expected ${status}: ${JSON.stringify(body)}`);
  return body;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'galley-order-'));
  try {
    const binary = opt.galley ?? (await buildBinary({ outfile: join(tmp, 'galley') })).outfile;
    const dir = join(tmp, 'data');
    const rows = generateRows(200);
    await prepareGalleyDir({ command: [binary], dir, logDir: tmp }, rows);
    const out = join(tmp, 'serve.order');
    const server = await startGalley({ command: [binary], dir, logDir: tmp, env: { BUN_BYTECODE_ORDER_OUT: out } });
    const json = { 'content-type': 'application/json' };
    const list = (skipTotal: boolean) => `/api/collections/items/records?filter=${encodeURIComponent("(category='c1')")}&sort=-created&perPage=50${skipTotal ? '&skipTotal=1' : ''}`;
    // a few of each, so what runs per request is recorded, not only what runs once
    for (let i = 0; i < 5; i++) {
      await expectOk(server.base, '/api/health');
      await expectOk(server.base, `/api/collections/items/records/${rows[i * 7]!.id}`);
      await expectOk(server.base, list(true));
      await expectOk(server.base, list(false));
      await expectOk(server.base, '/api/collections/items/records', { method: 'POST', headers: json, body: JSON.stringify({ category: 'c2', body: `recorded ${i}` }) });
      await expectOk(server.base, '/api/collections/items/records/nosuchrecord00', undefined, 404);
    }
    // what runs once the server idles is recorded too: the orphan sweep (1 s after listen), the log batch (every 3 s)
    await Bun.sleep(4000);
    // the profile is written as the process exits
    await stopServer(server.proc);
    if (!existsSync(out)) throw new Error(`the binary wrote no profile to ${out} (does its Bun support BUN_BYTECODE_ORDER_OUT?)`);
    copyFileSync(out, BYTECODE_ORDER_FILE);
    const functions = readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('F ')).length;
    console.log(`record-bytecode-order: ${functions} functions recorded into ${BYTECODE_ORDER_FILE}; build again to use it`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
