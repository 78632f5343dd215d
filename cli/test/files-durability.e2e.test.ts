// kill -9 while 8 writers upload, append, remove and delete files: after each restart and its orphan sweep,
// every acknowledged record holds exactly its acknowledged files, every file a record names exists, and no
// stored file lacks its record. 6 cycles in CI; KILL_CYCLES=50 on demand.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { loadSchema } from '../../server/src/schema/load.ts';
import { makeTempDir, startBinary, type RunningBinary } from './helpers/binary.ts';

const CYCLES = Number(process.env['KILL_CYCLES'] ?? 6);
const WRITERS = 8;
const TEMP_PREFIX = '.~galley-';

const SCHEMA = {
  collections: [
    {
      name: 'docs',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
      fields: [
        { name: 'writer', type: 'number' },
        { name: 'attachments', type: 'file', maxSelect: 6, maxSize: 200_000 },
      ],
    },
  ],
};

/** What the client knows of a record: exact names after an answered write, unknown after one the kill cut. */
interface Known {
  names: string[] | null;
  deleted: 'no' | 'yes' | 'maybe';
}

const docsId = loadSchema(SCHEMA).findCollection('docs')!.id;
const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const payload = (i: number) => new Uint8Array(1000 + ((i * 7919) % 60_000)).fill(i % 251);

async function send(url: string, method: string, path: string, form?: FormData): Promise<{ ok: boolean; json?: any; cut?: boolean }> {
  try {
    const res = await fetch(url + path, { method, body: form });
    const text = await res.text();
    return { ok: res.status === 200 || res.status === 204, json: text ? JSON.parse(text) : undefined };
  } catch {
    return { ok: false, cut: true }; // connection refused or reset: the server is gone
  }
}

async function writeUntilKilled(url: string, known: Map<string, Known>, writer: number): Promise<void> {
  const mine: string[] = [];
  for (let i = 0; ; i++) {
    const pick = mine.length === 0 || i % 4 === 0 ? 'create' : ['append', 'remove', 'delete'][i % 3]!;
    const id = mine[(i * 31) % Math.max(mine.length, 1)];
    const form = new FormData();
    let result;
    if (pick === 'create' || !id) {
      form.append('writer', String(writer));
      form.append('attachments', new File([payload(i)], `w${writer}-${i}-a.bin`));
      form.append('attachments', new File([payload(i + 1)], `w${writer}-${i}-b.bin`));
      result = await send(url, 'POST', '/api/collections/docs/records', form);
      if (result.ok) {
        mine.push(result.json.id);
        known.set(result.json.id, { names: result.json.attachments, deleted: 'no' });
      }
    } else if (pick === 'delete') {
      result = await send(url, 'DELETE', `/api/collections/docs/records/${id}`);
      known.get(id)!.deleted = result.ok ? 'yes' : 'maybe';
      mine.splice(mine.indexOf(id), 1);
    } else {
      const entry = known.get(id)!;
      if (pick === 'append') form.append('attachments+', new File([payload(i)], `w${writer}-${i}-more.bin`));
      else form.append('attachments-', (entry.names ?? [])[0] ?? 'none');
      result = await send(url, 'PATCH', `/api/collections/docs/records/${id}`, form);
      if (result.ok) entry.names = result.json.attachments;
      else if (result.cut) entry.names = null;
      else if (pick === 'append') mine.splice(mine.indexOf(id), 1); // full: leave it be
    }
    if (result.cut) return;
  }
}

function walk(root: string, d = root): string[] {
  let names: string[];
  try {
    names = readdirSync(d);
  } catch {
    return [];
  }
  return names.flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(root, join(d, n)) : [relative(root, join(d, n)).split(sep).join('/')]));
}

/** The sweep's report is at debug unless it removed files; the test waits for it every cycle. */
const SWEEP_LOG = { GALLEY_LOG_LEVEL: 'debug' };

async function waitForSweep(server: RunningBinary): Promise<string> {
  for (;;) {
    const line = server.output().stderr.split('\n').find((l) => l.includes('orphan file sweep done'));
    if (line) return line;
    if (server.proc.exitCode !== null) throw new Error('galley exited before its sweep:\n' + server.output().stderr);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('files under kill -9', () => {
  it(`keep records and stored files in step across ${CYCLES} kill cycles`, async () => {
    const known = new Map<string, Known>();
    let acked = 0;
    let temps = 0;
    let swept = 0;
    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const server = await startBinary({ schema: SCHEMA, dir, env: SWEEP_LOG });
      const sweep = await waitForSweep(server);
      if (cycle === CYCLES) {
        await server.stop('SIGTERM');
        expect(acked).toBeGreaterThan(0);
        console.info(`files durability: ${known.size} records, ${acked} acknowledged checks, ${swept} orphans swept, ${temps} temp files left after sweeps; last sweep ${sweep.slice(sweep.indexOf('{'))}`);
        break;
      }
      const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writeUntilKilled(server.url, known, cycle * 100 + w)));
      await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 600)));
      await server.stop('SIGKILL');
      await writing;

      // Restart: the sweep runs after listening; wait for it, then judge the dir with the server stopped.
      const again = await startBinary({ schema: SCHEMA, dir, env: SWEEP_LOG });
      swept += (JSON.parse((await waitForSweep(again)).replace(/^[^{]*/, '')) as { removed: number }).removed;
      await again.stop('SIGTERM');

      const db = openSqliteHandle(join(dir, 'data.db'));
      let rows: Array<{ id: string; attachments: string[] }>;
      try {
        expect(db.prepare('PRAGMA integrity_check').all()[0]).toEqual({ integrity_check: 'ok' });
        rows = db.prepare('SELECT id, attachments FROM docs').all().map((r) => ({ id: String(r['id']), attachments: JSON.parse(String(r['attachments'])) }));
      } finally {
        db.close();
      }
      const byId = new Map(rows.map((r) => [r.id, r.attachments]));
      for (const [id, k] of known) {
        if (k.deleted === 'yes') expect(byId.has(id), `${id} was deleted`).toBe(false);
        if (k.deleted !== 'no') continue;
        expect(byId.has(id), `acknowledged record ${id} lost`).toBe(true);
        if (k.names) expect(byId.get(id), `acknowledged files of ${id}`).toEqual(k.names);
        acked++;
      }
      const onDisk = walk(join(dir, 'storage'));
      const temp = onDisk.filter((f) => f.split('/').pop()!.startsWith(TEMP_PREFIX));
      temps += temp.length;
      // The restarted server's sweep removes what the killed process was writing.
      expect(temp, `cycle ${cycle}: temp files of cut writes left after the sweep`).toEqual([]);
      const files = onDisk.filter((f) => !temp.includes(f)).sort();
      const named = rows.flatMap((r) => r.attachments.map((n) => `${docsId}/${r.id}/${n}`)).sort();
      expect(files.filter((f) => !named.includes(f)), `cycle ${cycle}: files without their record`).toEqual([]);
      expect(named.filter((f) => !files.includes(f)), `cycle ${cycle}: records naming a missing file`).toEqual([]);
    }
  }, 120_000 + CYCLES * 20_000);
});
