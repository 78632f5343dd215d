// kill -9 while 16 writers are busy: no acknowledged write may be lost, the database must stay sound.
// 10 cycles in CI; KILL_CYCLES=100 on demand.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { makeTempDir, startBinary } from './helpers/binary.ts';

const CYCLES = Number(process.env['KILL_CYCLES'] ?? 10);
const WRITERS = 16;

const SCHEMA = {
  collections: [
    {
      name: 'events',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [
        { name: 'writer', type: 'number', onlyInt: true },
        { name: 'seq', type: 'number', onlyInt: true },
        { name: 'payload', type: 'text', max: 2000 },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_events_writer_seq ON events (writer, seq)'],
    },
  ],
};

const dir = makeTempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Write until the server dies; returns the ids whose create was answered 200. `firstAck` is called with the first
 * one, so the kill can be timed from there: on a loaded box a start can take longer than any fixed delay.
 */
async function writeUntilKilled(url: string, cycle: number, firstAck: () => void): Promise<string[]> {
  const acknowledged: string[] = [];
  const payload = 'x'.repeat(500);
  // a bound in case the kill never comes (the test fails on its own timeout otherwise)
  const giveUpAt = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      for (let seq = 0; Date.now() < giveUpAt; seq++) {
        try {
          const res = await fetch(`${url}/api/collections/events/records`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ writer: cycle * 100 + writer, seq, payload }),
          });
          if (res.status !== 200) continue;
          acknowledged.push(((await res.json()) as { id: string }).id);
          firstAck();
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    }),
  );
  return acknowledged;
}

describe('durability under kill -9', () => {
  it(`keeps every acknowledged write across ${CYCLES} kill cycles`, async () => {
    const everAcknowledged: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startBinary({ schema: SCHEMA, dir });
      let acknowledgedOnce!: () => void;
      const firstAck = new Promise<void>((resolve) => (acknowledgedOnce = resolve));
      const writing = writeUntilKilled(server.url, cycle, acknowledgedOnce);
      // killed 300-800 ms into the writing, counted from its first answer: writes are in flight at every kill
      await Promise.race([firstAck, writing]); // writing ends first only if the server died before any answer
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 500)));
      await server.stop('SIGKILL');
      const acked = await writing;
      expect(acked.length, `cycle ${cycle} acknowledged nothing`).toBeGreaterThan(0);
      everAcknowledged.push(...acked);

      const db = openSqliteHandle(join(dir, 'data.db'));
      try {
        expect(db.prepare('PRAGMA integrity_check').all()[0]).toEqual({ integrity_check: 'ok' });
        const present = new Set(db.prepare('SELECT id FROM events').all().map((r) => String(r['id'])));
        const lost = everAcknowledged.filter((id) => !present.has(id));
        expect(lost, `cycle ${cycle}: acknowledged writes lost`).toEqual([]);
      } finally {
        db.close();
      }
    }
    expect(existsSync(join(dir, 'data.db'))).toBe(true);
    console.info(`durability: ${everAcknowledged.length} acknowledged writes over ${CYCLES} kill -9 cycles, none lost`);
  }, 60_000 + CYCLES * 15_000);
});
