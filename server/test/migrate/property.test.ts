/**
 * Property: for a random schema A holding random rows and a random schema B derived from it (see
 * scenario.ts), migrating A → B (with allowDataLoss only where the checked plan says it loses data) either
 * is refused for a reason the data shows (a text that is no number, duplicates under a new unique index)
 * and changes nothing, or keeps every row with every value B can hold as the model says; then planning
 * again is empty. MIGRATE_SEED fixes the run, MIGRATE_RUNS sets the number of runs (default 60).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/db/migrate/check-plan.ts';
import { hashCollections, readAppliedSchema } from '../../src/db/migrate/history.ts';
import { migrateDatabase } from '../../src/db/migrate/migrate-database.ts';
import { planMigration } from '../../src/db/migrate/plan.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { buildScenario, expectValue, isNotNumberText, readStored, TARGET_IDS, type Scenario } from './scenario.ts';

const SEED = process.env['MIGRATE_SEED'] ? Number(process.env['MIGRATE_SEED']) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Math.max(1, Number(process.env['MIGRATE_RUNS'] ?? 60));

const scenarioArb = fc.record({
  fields: fc.array(fc.nat(99), { minLength: 1, maxLength: 5 }),
  choices: fc.array(fc.nat(999), { minLength: 40, maxLength: 40 }),
  rows: fc.array(fc.array(fc.nat(999), { minLength: 5, maxLength: 5 }), { maxLength: 12 }),
});

async function dumpTable(db: OpenedDatabase, table: string): Promise<unknown[]> {
  return (await sql`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db.read)).rows;
}

async function indexesOf(db: OpenedDatabase, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL ORDER BY name`.execute(db.read);
  return rows.map((r) => r.name);
}

/** Why the data must refuse the migration ('' when it must not). */
function predictRefusal(s: Scenario): string {
  for (const f of s.b) {
    if (f.source?.spec.kind === 'text' && f.spec.kind === 'number' && s.rows.some((r) => isNotNumberText(r[f.source!.name]))) return 'not a number';
  }
  const unique = /UNIQUE INDEX idx_u ON \w+ \((\w+)\)/.exec(s.bCollection.indexes.join('\n'));
  if (unique) {
    const f = s.b.find((x) => x.name === unique[1])!;
    const keys = s.rows.map((r) => {
      if (!f.source) return f.spec.kind === 'number' ? 0 : '';
      const v = expectValue(f, r[f.source.name]);
      return typeof v === 'object' && v !== null ? `n:${(v as { numberText: number }).numberText}` : typeof v === 'number' ? `n:${v}` : `s:${String(v)}`;
    });
    if (new Set(keys).size < keys.length) return 'unique index';
  }
  return '';
}

async function runScenario(s: Scenario, dir: string): Promise<void> {
  const db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'NORMAL', busyTimeoutMs: 1000 });
  try {
    await migrateDatabase(db, [s.targets, s.aCollection]);
    await db.writer.run(async (tx) => {
      await tx.db.insertInto('targets').values(TARGET_IDS.map((id) => ({ id }))).execute();
      if (s.rows.length > 0) await tx.db.insertInto('items').values(s.rows).execute();
    });
    const desired = [s.targets, s.bCollection];
    const appliedBefore = (await readAppliedSchema(db.read))!;
    const checked = await checkPlan(db.read, planMigration(appliedBefore.collections, desired));
    const lossy = checked.steps.some((st) => st.lossy);
    const before = await dumpTable(db, 'items');
    const refusal = predictRefusal(s);

    const outcome = await migrateDatabase(db, desired, { allowDataLoss: lossy }).then(() => '', (err: Error) => err.message);
    if (refusal !== '' || outcome !== '') {
      expect(outcome, `expected a refusal (${refusal})`).toMatch(refusal === 'not a number' ? /is not a number/ : refusal ? /unique index "idx_u" forbids/ : /^$/);
      expect(await dumpTable(db, 'items')).toEqual(before);
      expect((await readAppliedSchema(db.read))!.hash).toBe(appliedBefore.hash);
      return;
    }

    const table = s.bCollection.name;
    const after = (await dumpTable(db, table)) as Array<Record<string, unknown>>;
    expect(after.map((r) => r['id'])).toEqual(s.rows.map((r) => r['id']));
    after.forEach((row, i) => {
      for (const f of s.b) {
        const stored = readStored(f, row[f.name]);
        if (!f.source) {
          expect(stored, `added ${f.name}`).toEqual(f.spec.kind === 'json' ? null : f.spec.kind === 'number' || f.spec.kind === 'bool' ? 0 : f.spec.max > 1 ? [] : '');
          continue;
        }
        const want = expectValue(f, s.rows[i]![f.source.name]);
        const where = `row ${i} field ${f.name} (${f.source.spec.kind}/${f.source.spec.max} → ${f.spec.kind}/${f.spec.max})`;
        if (typeof want === 'object' && want !== null && 'numberText' in want) {
          expect(typeof stored, where).toBe('string');
          expect(Number(stored), where).toBe((want as { numberText: number }).numberText);
        } else if (typeof want === 'number') expect(Number(stored), where).toBe(want);
        else expect(stored, where).toEqual(want);
      }
    });
    const names = s.bCollection.indexes.map((text) => /INDEX (\w+)/.exec(text)![1]!).sort();
    expect(await indexesOf(db, table)).toEqual(names);
    expect((await sql`PRAGMA integrity_check`.execute(db.read)).rows).toEqual([{ integrity_check: 'ok' }]);

    const applied = (await readAppliedSchema(db.read))!;
    expect(planMigration(applied.collections, desired).steps).toEqual([]);
    expect((await migrateDatabase(db, desired)).steps).toEqual([]);
    expect(applied.hash).toBe(hashCollections(planMigration([], desired).collections));
  } finally {
    await db.close();
  }
}

describe('migrations, property', () => {
  it(`A → B keeps what B can hold, or refuses and changes nothing; planning again is empty (${RUNS} runs)`, { timeout: 60_000 }, async () => {
    console.log(`migrate property: MIGRATE_SEED=${SEED} MIGRATE_RUNS=${RUNS}`);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (input) => {
        const dir = mkdtempSync(join(tmpdir(), 'galley-'));
        try {
          await runScenario(buildScenario(input), dir);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
