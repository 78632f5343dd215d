/**
 * Differential rule test: random (rule set, requester, filter, sort, expand) cases run against Galley and
 * against reference.ts over the same rows; any difference fails with the rules, query and rows involved.
 * DIFF_SEED fixes the run (printed on every run), DIFF_CASES raises the number of cases (default 1000).
 * DIFF_KEEP_GOING=1 runs every batch and reports all mismatches instead of stopping at the first batch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareQuery, describeMismatches, type Mismatch } from './compare.ts';
import { startBatchGalley } from './fixture.ts';
import { batchArb, type Batch } from './generators.ts';
import { HAND_PICKED } from './hand-picked.ts';

const SEED = process.env['DIFF_SEED'] ? Number(process.env['DIFF_SEED']) : Math.floor(Math.random() * 2 ** 31);
const CASES = Math.max(1, Number(process.env['DIFF_CASES'] ?? 1000));
const KEEP_GOING = process.env['DIFF_KEEP_GOING'] === '1';
// Cases per Galley: each batch starts a Galley and seeds it (most of a batch's time: 2-5 s against 0.3-1.3 s for 40
// queries, measured on a loaded box); 80 a batch compares as many cases with half the starts (13 rule sets and
// datasets a run instead of 25; each stage of npm test draws its own seed)
const PER_BATCH = 80;
const BATCHES = Math.ceil(CASES / PER_BATCH);

async function runBatch(batch: Batch): Promise<Mismatch[]> {
  const g = await startBatchGalley(batch.world, batch.rules);
  try {
    const found: Mismatch[] = [];
    for (const q of batch.queries) found.push(...(await compareQuery(g, batch, q)));
    return found;
  } finally {
    await g.close();
  }
}

describe('access rules and filters, differential against a reference evaluator', () => {
  it('agrees on hand-picked cases (shared join rows, dangling ids, guests in rules)', { timeout: 60_000 }, async () => {
    const mismatches = await runBatch(HAND_PICKED);
    if (mismatches.length > 0) throw new Error(describeMismatches(HAND_PICKED, mismatches));
  });

  it(`agrees on ${BATCHES * PER_BATCH} random cases`, { timeout: 120_000 + BATCHES * 16_000 }, async () => {
    console.log(`differential rules: DIFF_SEED=${SEED} DIFF_CASES=${CASES} (${BATCHES} batches of ${PER_BATCH})`);
    let cases = 0;
    let batchNo = 0;
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(batchArb(PER_BATCH), async (batch) => {
        batchNo++;
        const mismatches = await runBatch(batch);
        cases += batch.queries.length;
        if (mismatches.length === 0) return;
        const text = `batch ${batchNo} of DIFF_SEED=${SEED}: ${describeMismatches(batch, mismatches)}`;
        if (!KEEP_GOING) throw new Error(text);
        failures.push(text);
      }),
      {
        seed: SEED,
        numRuns: BATCHES,
        // each batch restarts Galley; shrinking would take minutes, the report already narrows the filter
        endOnFailure: true,
        asyncReporter: async (details) => {
          if (!details.failed) return;
          const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
          throw new Error(`differential mismatch (reproduce with DIFF_SEED=${SEED}):\n${cause}`);
        },
      },
    );
    if (failures.length > 0) throw new Error(`${failures.length} batch(es) with mismatches:\n\n${failures.join('\n\n')}`);
    expect(cases).toBeGreaterThanOrEqual(CASES);
  });
});
