// kill -9 of the binary while request logs are being written: it starts again on the same dir, both data.db and
// aux.db pass `PRAGMA integrity_check`, every acknowledged record is there, and at most the entries not yet
// committed (the batch in memory, flushed at 200 entries or every 3 s, and the one handed to the writer thread)
// are missing from aux.db: from `_logs`, or from the batches a busy writer staged (`_logs_staged`, moved into
// `_logs` on the next start). A graceful stop flushes everything into `_logs`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { decodeBatch } from '../../server/src/logs/log-rows.ts';
import { makeTempDir, startBinary } from './helpers/binary.ts';

const CYCLES = Number(process.env['KILL_CYCLES'] ?? 3);
const WRITERS = 8;
/** two batches of the log writer (logs/log-service.ts: one in memory, one being written) plus requests in flight */
const UNFLUSHED_AT_MOST = 2 * 200 + WRITERS;

const SCHEMA = {
  collections: [
    {
      name: 'events',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [
        { name: 'run', type: 'number', onlyInt: true },
        { name: 'payload', type: 'text', max: 2000 },
      ],
    },
  ],
};

const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeUntil(url: string, run: number, stopAt: number): Promise<string[]> {
  const acknowledged: string[] = [];
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (Date.now() < stopAt + 2000) {
        try {
          const res = await fetch(`${url}/api/collections/events/records`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ run, payload: 'x'.repeat(200) }),
          });
          if (res.status === 200) acknowledged.push(((await res.json()) as { id: string }).id);
          // a read and a 404 between writes: entries of both levels
          await fetch(`${url}/api/collections/events/records?perPage=1&token=secret-${run}`);
        } catch {
          return; // the server is gone
        }
      }
    }),
  );
  return acknowledged;
}

function check(file: string, fn: (db: ReturnType<typeof openSqliteHandle>) => void): void {
  const db = openSqliteHandle(file);
  try {
    expect(db.prepare('PRAGMA integrity_check').all()[0], file).toEqual({ integrity_check: 'ok' });
    fn(db);
  } finally {
    db.close();
  }
}

/** The text of the batches staged in aux.db (the writer's format, log-rows.ts). */
function readStaged(db: ReturnType<typeof openSqliteHandle>): string[] {
  return db.prepare('SELECT batch FROM _logs_staged ORDER BY id').all().map((r) => Buffer.from(r['batch'] as Uint8Array).toString('utf8'));
}

function countLoggedCreates(db: ReturnType<typeof openSqliteHandle>, withStaged = true): number {
  const row = db
    .prepare(`SELECT count(*) AS n FROM _logs WHERE message = 'POST /api/collections/events/records' AND json_extract(data, '$.status') = 200`)
    .all()[0];
  const staged = withStaged
    ? readStaged(db).flatMap(decodeBatch).filter((r) => r.message === 'POST /api/collections/events/records' && JSON.parse(r.data).status === 200).length
    : 0;
  return Number(row?.['n'] ?? 0) + staged;
}

describe('request logs under kill -9', () => {
  it(`restart works, both databases stay sound, records are untouched, at most the unflushed batch is lost (${CYCLES} cycles)`, async () => {
    const acked: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startBinary({ schema: SCHEMA, dir });
      // kill at a random point of the 3 s flush period (so some cycles die with a batch in memory)
      const killAt = Date.now() + 700 + Math.floor(Math.random() * 2500);
      const writing = writeUntil(server.url, cycle, killAt);
      await new Promise((r) => setTimeout(r, killAt - Date.now()));
      await server.stop('SIGKILL');
      acked.push(...(await writing));

      check(join(dir, 'data.db'), (db) => {
        const present = new Set(db.prepare('SELECT id FROM events').all().map((r) => String(r['id'])));
        expect(acked.filter((id) => !present.has(id)), `cycle ${cycle}: acknowledged records lost`).toEqual([]);
      });
      check(join(dir, 'aux.db'), (db) => {
        const logged = countLoggedCreates(db);
        console.info(`cycle ${cycle}: ${acked.length} creates acknowledged so far, ${logged} in _logs (${acked.length - logged} not logged)`);
        expect(logged, `cycle ${cycle}: ${acked.length} creates acknowledged, ${logged} logged`).toBeGreaterThanOrEqual(acked.length - (cycle + 1) * UNFLUSHED_AT_MOST);
        expect(logged).toBeLessThanOrEqual(acked.length + (cycle + 1) * WRITERS);
        const leaked = db.prepare(`SELECT count(*) AS n FROM _logs WHERE message LIKE '%secret-%' OR data LIKE '%secret-%'`).all()[0];
        expect(Number(leaked?.['n'])).toBe(0);
        expect(readStaged(db).filter((batch) => batch.includes('secret-'))).toEqual([]);
      });
    }

    // a graceful stop loses nothing: every create of the last run is in _logs
    const server = await startBinary({ schema: SCHEMA, dir });
    let before = 0;
    check(join(dir, 'aux.db'), (db) => (before = countLoggedCreates(db)));
    const last = await writeUntil(server.url, 99, Date.now() - 1500);
    const stopped = await server.stop('SIGTERM');
    expect(stopped.signal === null || stopped.code === 0, stopped.stderr).toBe(true);
    check(join(dir, 'aux.db'), (db) => {
      expect(countLoggedCreates(db, false) - before).toBe(last.length);
      expect(readStaged(db)).toEqual([]);
    });
    check(join(dir, 'data.db'), (db) => expect(Number(db.prepare('SELECT count(*) AS n FROM events').all()[0]?.['n'])).toBeGreaterThanOrEqual(acked.length + last.length));
  }, 120_000);
});
