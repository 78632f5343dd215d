// kill -9 of `galley migrate apply` in the middle of a table rebuild: the database must hold either the old
// schema or the new one, with every row intact, and the recorded schema must agree with the table.
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { BINARY, makeTempDir, runBinary } from './helpers/binary.ts';

const ROWS = 150_000;
const CYCLES = Number(process.env['MIGRATE_KILL_CYCLES'] ?? 6);
const PAD = 'x'.repeat(80);

const schemaWith = (type: 'number' | 'text') => ({
  collections: [
    {
      name: 'items',
      type: 'base',
      fields: [{ name: 'n', type }, { name: 'label', type: 'text' }],
      indexes: ['CREATE INDEX idx_items_n ON items (n)'],
    },
  ],
});

const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = { number: join(dir, 'a.json'), text: join(dir, 'b.json') };
writeFileSync(files.number, JSON.stringify(schemaWith('number')));
writeFileSync(files.text, JSON.stringify(schemaWith('text')));
const dbFile = join(dir, 'data', 'data.db');

/** Which schema the table has, checked against what is recorded, and that every row is whole. */
function inspectDatabase(): { type: 'number' | 'text'; migrations: number } {
  const db = openSqliteHandle(dbFile);
  try {
    expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
    const column = db.prepare("SELECT type FROM pragma_table_info('items') WHERE name = 'n'").all()[0]!['type'];
    const type = column === 'NUMERIC' ? 'number' : 'text';
    expect(column).toBe(type === 'number' ? 'NUMERIC' : 'TEXT');
    const recorded = JSON.parse(String(db.prepare('SELECT collections FROM _galley_schema').all()[0]!['collections'])) as Array<{ name: string; fields: Array<{ name: string; type: string }> }>;
    expect(recorded.find((c) => c.name === 'items')!.fields.find((f) => f.name === 'n')!.type).toBe(type);
    expect(db.prepare('SELECT count(*) AS n FROM items').all()[0]!['n']).toBe(ROWS);
    const wrongType = db.prepare(`SELECT count(*) AS n FROM items WHERE typeof(n) ${type === 'text' ? "!= 'text'" : "NOT IN ('integer', 'real')"}`).all()[0]!['n'];
    expect(wrongType).toBe(0);
    const values = db.prepare('SELECT count(*) AS n FROM items WHERE CAST(n AS REAL) != CAST(substr(id, 2) AS INTEGER) * 1.5 OR label != ? || CAST(substr(id, 2) AS INTEGER)').all([PAD]);
    expect(values[0]!['n']).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '\\_galley\\_rebuild%' ESCAPE '\\'").all()).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL").all()).toEqual([{ name: 'idx_items_n' }]);
    return { type, migrations: Number(db.prepare('SELECT count(*) AS n FROM _galley_migrations').all()[0]!['n']) };
  } finally {
    db.close();
  }
}

function fillTable(): void {
  const db = openSqliteHandle(dbFile);
  try {
    db.exec('BEGIN');
    const insert = db.prepare('INSERT INTO items (id, n, label) VALUES (?, ?, ?)');
    for (let i = 0; i < ROWS; i++) insert.run([`r${String(i).padStart(9, '0')}`, i * 1.5, PAD + i]);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

type Kill = { afterMs: number } | { walBytes: number } | null;
const walSize = () => (existsSync(`${dbFile}-wal`) ? statSync(`${dbFile}-wal`).size : 0);

/**
 * Runs `migrate apply` and kills it with SIGKILL after `afterMs`, or as soon as the WAL holds `walBytes`
 * (the rebuild is writing: its pages spill into the WAL long before COMMIT), or lets it finish.
 */
function applyAndKill(schema: string, kill: Kill): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const started = performance.now();
  const proc = spawn(BINARY, ['migrate', 'apply', '--schema', schema, '--dir', join(dir, 'data')], { stdio: 'ignore' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (kill && 'afterMs' in kill) timer = setTimeout(() => proc.kill('SIGKILL'), kill.afterMs);
  if (kill && 'walBytes' in kill) timer = setInterval(() => walSize() >= kill.walBytes && proc.kill('SIGKILL'), 2);
  return new Promise((resolve) => proc.once('exit', (code, signal) => {
    clearTimeout(timer);
    clearInterval(timer);
    resolve({ code, signal, ms: performance.now() - started });
  }));
}

describe('migrate apply under kill -9', () => {
  it(`leaves the old or the new schema with all ${ROWS} rows intact across ${CYCLES} kills mid-rebuild`, { timeout: 240_000 }, async () => {
    expect((await runBinary(['migrate', 'apply', '--schema', files.number, '--dir', join(dir, 'data')])).code).toBe(0);
    fillTable();
    // A full apply each way measures how long it takes here (text → number also scans every value first).
    // Then kills alternate: at a point of the rebuild's writing, watched through the WAL's size (the whole
    // rebuild writes ~22 MB), and at a random moment of the measured time (checks and startup included).
    const toText = await applyAndKill(files.text, null);
    expect(toText.code).toBe(0);
    expect(inspectDatabase().type).toBe('text');
    const toNumber = await applyAndKill(files.number, null);
    expect(toNumber.code).toBe(0);
    let state = inspectDatabase();
    expect(state.type).toBe('number');
    const took = { text: toText.ms, number: toNumber.ms };

    let interruptedMidWrite = 0;
    const log: string[] = [`full apply: to text ${Math.round(took.text)} ms, to number ${Math.round(took.number)} ms`];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const target = state.type === 'number' ? 'text' : 'number';
      const kill = cycle % 2 === 0
        ? { walBytes: Math.round((1 + 15 * Math.random()) * 1024 * 1024) }
        : { afterMs: Math.round(took[target] * (0.2 + 0.8 * Math.random())) };
      const run = await applyAndKill(files[target], kill);
      const walBytes = walSize();
      const next = inspectDatabase();
      const when = 'afterMs' in kill ? `at ${kill.afterMs} ms` : `at ${Math.round(kill.walBytes / 1024)} KiB of WAL`;
      log.push(`kill ${when}: ${run.signal ?? `exit ${run.code}`}, wal ${Math.round(walBytes / 1024)} KiB, ${next.type === state.type ? 'old' : 'new'} schema`);
      if (run.signal === 'SIGKILL' && next.type === state.type) {
        expect(next.migrations, `cycle ${cycle}: an interrupted apply must not be recorded`).toBe(state.migrations);
        if (walBytes > 1024 * 1024) interruptedMidWrite++;
      } else {
        expect(next.type, `cycle ${cycle}: finished or killed after commit`).toBe(target);
        expect(next.migrations).toBe(state.migrations + 1);
      }
      state = next;
    }
    console.log(`migrate apply kill -9 cycles:\n  ${log.join('\n  ')}`);
    expect(interruptedMidWrite, 'no kill landed while the rebuild was writing').toBeGreaterThan(0);
    const status = await runBinary(['migrate', 'status', '--schema', files[state.type], '--dir', join(dir, 'data')]);
    expect(status.code).toBe(0);
  });
});
