// The database restarting under load (issue 17's fault): a compiled binary on a PostgreSQL cluster of this file's
// own (the run's shared cluster serves other files, which a restart would fail), 8 writers creating records,
// `pg_ctl restart -m fast` mid-run. Every answer is 200 or 503 with Retry-After (never a 500 or a dropped
// connection), every acknowledged create is in the table afterwards, and the server recovers by itself: writes
// succeed again and /api/health answers 200. The cluster runs with fsync off like the test cluster: a fast restart
// is a clean shutdown, so what it proves (no acknowledged write lost across the reconnect) does not depend on fsync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBinary, type RunningBinary } from './helpers/binary.ts';
import { describePostgres, postgresBinDir } from '../../server/test/helpers/postgres.ts';
import { restartCluster, startCluster, stopCluster, type ClusterInfo } from '../../server/test/helpers/postgres-cluster.ts';

const EVENTS = {
  collections: [{
    name: 'events', type: 'base', listRule: '', viewRule: '', createRule: '',
    fields: [{ name: 'writer', type: 'number', onlyInt: true }, { name: 'seq', type: 'number', onlyInt: true }],
  }],
};
const WRITERS = 8;

describePostgres('the database restarting under load', () => {
  let runDir: string;
  let cluster: ClusterInfo | undefined;
  let server: RunningBinary | undefined;
  let url: string;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'galley-pg-restart-'));
    cluster = await startCluster(runDir, postgresBinDir!);
    url = `postgres://${cluster.user}@${cluster.host}:${cluster.port}/postgres`;
    server = await startBinary({ schema: EVENTS, env: { GALLEY_DATABASE_URL: url } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (cluster) stopCluster(cluster);
    rmSync(runDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while it is down, loses no acknowledged create, recovers by itself', async () => {
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const create = async (writer: number, seq: number): Promise<void> => {
      let res: Response;
      try {
        res = await fetch(`${server!.url}/api/collections/events/records`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ writer, seq }),
        });
      } catch (err) {
        unexpected.push(`no answer: ${(err as Error).message}`);
        return;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const body = await res.text();
      if (res.status === 200) acknowledged.push((JSON.parse(body) as { id: string }).id);
      else if (res.status !== 503 || !res.headers.get('retry-after')) unexpected.push(`${res.status} retry-after=${res.headers.get('retry-after')}: ${body.slice(0, 200)}`);
    };
    const writing = Promise.all(Array.from({ length: WRITERS }, async (_, writer) => {
      for (let seq = 0; Date.now() < stopAt; seq++) await create(writer, seq);
    }));

    await new Promise((r) => setTimeout(r, 500));
    const before = acknowledged.length;
    // the writers keep sending while PostgreSQL is down and while it starts again
    const restartStarted = performance.now();
    await restartCluster(cluster!);
    const restartMs = performance.now() - restartStarted;
    // writers keep going after the restart until the server has written again
    const recoveredBy = Date.now() + 15_000;
    while (acknowledged.length <= before + WRITERS * 5 && Date.now() < recoveredBy) await new Promise((r) => setTimeout(r, 50));
    stopAt = Date.now();
    await writing;

    expect(unexpected).toEqual([]);
    // the restart was met (requests in flight on cut connections), not slipped between two writes
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(before + WRITERS * 5);
    const health = await fetch(`${server!.url}/api/health`);
    expect(health.status).toBe(200);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const present = new Set((await client.query<{ id: string }>('SELECT id FROM events')).rows.map((r) => r.id));
      expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
    } finally {
      await client.end();
    }
    console.info(`database restart under load: ${acknowledged.length} acknowledged creates, none lost; answers ${JSON.stringify(Object.fromEntries(statuses))}; pg_ctl restart took ${restartMs.toFixed(0)} ms`);
  }, 60_000);
});
