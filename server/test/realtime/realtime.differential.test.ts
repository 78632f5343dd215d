/**
 * Differential realtime test: random rule sets (the rules differential's generators), a subscriber per
 * requester (guest, each user, a superuser) on list, record, filtered and expanded topics, then random
 * writes. The reference is the records API itself, asked per requester right after each write (before
 * it, for deletes): every event a subscriber gets must be one the API shows it, record JSON included
 * (0 leaked), and every record the API shows it must arrive (0 missing).
 * RT_DIFF_SEED fixes the run (printed), RT_DIFF_BATCHES / RT_DIFF_OPS size it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { whenRealtimeIdle } from '../../src/realtime/broker.ts';
import { startBatchGalley, type BatchGalley } from '../differential/fixture.ts';
import { DOC_IDS, ROLE_VALUES, ruleSetArb, TEAM_IDS, USER_IDS, worldArb } from '../differential/generators.ts';
import type { Requester } from '../differential/reference.ts';
import { connectRaw, type RawClient } from './sse-client.ts';
import { withOptions } from './fixture.ts';

const SEED = process.env['RT_DIFF_SEED'] ? Number(process.env['RT_DIFF_SEED']) : Math.floor(Math.random() * 2 ** 31);
const BATCHES = Math.max(1, Number(process.env['RT_DIFF_BATCHES'] ?? 5));
const OPS = Math.max(1, Number(process.env['RT_DIFF_OPS'] ?? 30));
const NEW_IDS = Array.from({ length: OPS }, (_, i) => 'new' + String(i + 1).padStart(12, '0'));

type Op =
  | { kind: 'updateDoc' | 'createDoc'; id: string; patch: Record<string, unknown> }
  | { kind: 'deleteDoc' | 'deleteTeam'; id: string }
  | { kind: 'updateTeam'; id: string; public: boolean }
  | { kind: 'updateUser'; id: string; role: string; age: number };

const patchArb = fc.record(
  {
    published: fc.boolean(),
    owner: fc.constantFrom(...USER_IDS, ''),
    team: fc.constantFrom(...TEAM_IDS, ''),
    readers: fc.subarray(USER_IDS),
    score: fc.constantFrom(-1, 0, 2, 10),
    title: fc.constantFrom('alpha', 'beta', 'x'),
  },
  { requiredKeys: [] },
);
const someDoc = fc.constantFrom(...DOC_IDS.slice(0, 8), ...NEW_IDS.slice(0, 4));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('updateDoc' as const), id: someDoc, patch: patchArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('createDoc' as const), id: fc.constant(''), patch: patchArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteDoc' as const), id: someDoc }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('updateTeam' as const), id: fc.constantFrom(...TEAM_IDS), public: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteTeam' as const), id: fc.constantFrom(...TEAM_IDS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('updateUser' as const), id: fc.constantFrom(...USER_IDS), role: fc.constantFrom(...ROLE_VALUES), age: fc.constantFrom(17, 30, 65) }) },
);

interface Topic {
  topic: string;
  collection: 'docs' | 'teams' | 'users';
  /** record topics name their record */
  recordId?: string;
  filter?: string;
  expand?: string;
}

const TOPICS: Topic[] = [
  { topic: 'docs/*', collection: 'docs' },
  { topic: withOptions('docs/*', { query: { filter: 'score > 0' } }), collection: 'docs', filter: 'score > 0' },
  { topic: withOptions('docs/*', { query: { expand: 'owner,team' } }), collection: 'docs', expand: 'owner,team' },
  { topic: `docs/${DOC_IDS[0]}`, collection: 'docs', recordId: DOC_IDS[0]! },
  { topic: `docs/${DOC_IDS[1]}`, collection: 'docs', recordId: DOC_IDS[1]! },
  { topic: `docs/${NEW_IDS[0]}`, collection: 'docs', recordId: NEW_IDS[0]! },
  { topic: 'teams/*', collection: 'teams' },
  { topic: 'users/*', collection: 'users' },
  { topic: `users/${USER_IDS[0]}`, collection: 'users', recordId: USER_IDS[0]! },
];

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

const REQUESTERS: Requester[] = [{ kind: 'guest' }, ...USER_IDS.map((id): Requester => ({ kind: 'user', id })), { kind: 'superuser' }];
const nameOf = (r: Requester) => (r.kind === 'user' ? r.id : r.kind);

/** What the records API shows `r` of one record on one topic now: the event line it should get, or null. */
async function apiSees(g: BatchGalley, r: Requester, t: Topic, collection: string, id: string, action: string): Promise<string | null> {
  if (t.collection !== collection || (t.recordId !== undefined && t.recordId !== id)) return null;
  const auth = g.tokenOf(r);
  const expand = t.expand ? `&expand=${encodeURIComponent(t.expand)}` : '';
  if (t.recordId !== undefined) {
    const res = await g.t.call('GET', `/api/collections/${collection}/records/${id}?x=1${expand}`, { auth });
    return res.status === 200 ? `${t.topic} ${action} ${canonical(res.json)}` : null;
  }
  const filter = `id = '${id}'${t.filter ? ` && (${t.filter})` : ''}`;
  const res = await g.t.call('GET', `/api/collections/${collection}/records?skipTotal=1&filter=${encodeURIComponent(filter)}${expand}`, { auth });
  const item = res.status === 200 ? res.json.items[0] : undefined;
  return item ? `${t.topic} ${action} ${canonical(item)}` : null;
}

async function expectFor(g: BatchGalley, expected: Map<Requester, string[]>, collection: string, id: string, action: string): Promise<void> {
  for (const r of REQUESTERS) {
    for (const t of TOPICS) {
      const line = await apiSees(g, r, t, collection, id, action);
      if (line) expected.get(r)!.push(line);
    }
  }
}

async function runBatch(seed: number): Promise<{ problems: string[]; delivered: number }> {
  const [world] = fc.sample(worldArb, { seed, numRuns: 1 });
  const [rules] = fc.sample(ruleSetArb, { seed: seed + 1, numRuns: 1 });
  const ops = fc.sample(opArb, { seed: seed + 2, numRuns: OPS });
  const g = await startBatchGalley(world!, rules!);
  const core = g.t.galley.core;
  const root = g.tokenOf({ kind: 'superuser' })!;
  const clients = new Map<Requester, RawClient>();
  const expected = new Map<Requester, string[]>(REQUESTERS.map((r) => [r, []]));
  try {
    for (const r of REQUESTERS) {
      const c = await connectRaw(g.t.galley);
      clients.set(r, c);
      const res = await c.subscribe(TOPICS.map((t) => t.topic), { auth: g.tokenOf(r) });
      if (res.status !== 204) throw new Error(`subscribe failed: ${res.status} ${res.text}`);
    }
    let created = 0;
    const write = (method: string, path: string, body?: unknown) => g.t.call(method, path, { body, auth: root });
    for (const op of ops) {
      if (op.kind === 'createDoc' || op.kind === 'updateDoc') {
        const id = op.kind === 'createDoc' ? NEW_IDS[created++]! : op.id;
        const res = op.kind === 'createDoc' ? await write('POST', '/api/collections/docs/records', { id, ...op.patch }) : await write('PATCH', `/api/collections/docs/records/${id}`, op.patch);
        await whenRealtimeIdle(core);
        if (res.status === 200) await expectFor(g, expected, 'docs', id, op.kind === 'createDoc' ? 'create' : 'update');
      } else if (op.kind === 'deleteDoc') {
        const before = new Map<Requester, string[]>(REQUESTERS.map((r) => [r, []]));
        await expectFor(g, before, 'docs', op.id, 'delete');
        const res = await write('DELETE', `/api/collections/docs/records/${op.id}`);
        await whenRealtimeIdle(core);
        if (res.status === 204) for (const r of REQUESTERS) expected.get(r)!.push(...before.get(r)!);
      } else if (op.kind === 'deleteTeam') {
        const before = new Map<Requester, string[]>(REQUESTERS.map((r) => [r, []]));
        await expectFor(g, before, 'teams', op.id, 'delete');
        const refs = await write('GET', `/api/collections/docs/records?perPage=500&filter=${encodeURIComponent(`team = '${op.id}'`)}`);
        const res = await write('DELETE', `/api/collections/teams/records/${op.id}`);
        await whenRealtimeIdle(core);
        if (res.status === 204) {
          // the docs that pointed at the team lose the reference: one update event each, after the delete
          for (const d of refs.json.items) await expectFor(g, expected, 'docs', d.id, 'update');
          for (const r of REQUESTERS) expected.get(r)!.push(...before.get(r)!);
        }
      } else {
        const collection = op.kind === 'updateTeam' ? 'teams' : 'users';
        const body = op.kind === 'updateTeam' ? { public: op.public } : op.kind === 'updateUser' ? { role: op.role, age: op.age } : {};
        const res = await write('PATCH', `/api/collections/${collection}/records/${op.id}`, body);
        await whenRealtimeIdle(core);
        if (res.status === 200) await expectFor(g, expected, collection, op.id, 'update');
      }
    }
    const problems: string[] = [];
    let delivered = 0;
    for (const r of REQUESTERS) {
      const c = clients.get(r)!;
      await c.sync();
      const got = c.events().map((e) => `${e.topic} ${e.data.action} ${canonical(e.data.record)}`).sort();
      const want = [...expected.get(r)!].sort();
      delivered += got.length;
      const leaked = got.filter((line, i) => got.indexOf(line) === i && got.filter((x) => x === line).length > want.filter((x) => x === line).length);
      const missing = want.filter((line, i) => want.indexOf(line) === i && want.filter((x) => x === line).length > got.filter((x) => x === line).length);
      for (const l of leaked) problems.push(`${nameOf(r)} LEAKED ${l}`);
      for (const m of missing) problems.push(`${nameOf(r)} MISSING ${m}`);
    }
    if (problems.length > 0) problems.unshift(`rules: ${JSON.stringify(rules)}\nops: ${JSON.stringify(ops)}`);
    return { problems, delivered };
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await g.close();
  }
}

describe('realtime delivery, differential against the records API', () => {
  it(`delivers exactly what each requester may see (${BATCHES} batches of ${OPS} writes)`, { timeout: 60_000 + BATCHES * 30_000 }, async () => {
    console.log(`differential realtime: RT_DIFF_SEED=${SEED} RT_DIFF_BATCHES=${BATCHES} RT_DIFF_OPS=${OPS}`);
    let delivered = 0;
    for (let b = 0; b < BATCHES; b++) {
      const { problems, delivered: n } = await runBatch(SEED + b * 10);
      if (problems.length > 0) throw new Error(`batch ${b} (RT_DIFF_SEED=${SEED}): ${problems.length - 1} difference(s)\n${problems.slice(0, 30).join('\n')}`);
      delivered += n;
    }
    console.log(`differential realtime: ${delivered} events delivered as expected, 0 leaked, 0 missing`);
    // the random rules must let a fair share through, or the comparison proves little
    expect(delivered).toBeGreaterThan(BATCHES * 20);
  });
});
