import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { buildSchema, type CollectionModel } from '../../schema/model.ts';
import { SCHEMA_TABLE } from '../meta-tables.ts';
import type { OpenedDatabase } from '../open.ts';
import { getParam } from '../params.ts';
import { applySchemaOnStart } from './apply-on-start.ts';
import { readAppliedSchema } from './history.ts';
import { checkSchemaOnStart, computeStartKey, START_KEY_PARAM } from './start-key.ts';
import { makeCollection as col, makeField as field, useFreshDatabase } from './testing.ts';

let db: OpenedDatabase;
useFreshDatabase((opened) => (db = opened));

const v1 = col('posts', [field('title', 'text')]);
const v2 = { ...v1, fields: [...v1.fields, field('views', 'number')] };
const start = (collections: CollectionModel[]) => checkSchemaOnStart(db, buildSchema(collections));

/** Breaks the applied schema's collections (its hash kept): a full plan cannot read them, a skipped one never does. */
async function breakAppliedCollections(): Promise<void> {
  await db.writer.run((tx) => tx.db.updateTable(SCHEMA_TABLE).set({ collections: '{not json' }).where('id', '=', 1).execute());
}

describe('checkSchemaOnStart', () => {
  it('records the key only once a full check found nothing to do, then skips the plan for the same inputs', async () => {
    expect((await start([v1])).applied).toEqual(['create table "posts" (id, title)']);
    expect(await getParam(db, START_KEY_PARAM)).toBeNull();

    const { hash } = (await readAppliedSchema(db.read))!;
    expect(await start([v1])).toEqual({ applied: [], hash });
    expect(JSON.parse((await getParam(db, START_KEY_PARAM))!)).toEqual({ key: computeStartKey(buildSchema([v1])), hash });

    await breakAppliedCollections();
    expect(await start([v1])).toEqual({ applied: [], hash });
  });

  it('plans in full when the schema changed since the key was recorded', async () => {
    await start([v1]);
    await start([v1]);
    expect((await start([v2])).applied).toEqual(['add column "posts"."views" (numeric)']);
    await breakAppliedCollections();
    await expect(start([v2])).rejects.toThrow(SyntaxError);
  });

  it('plans in full when another process applied a schema since (the applied hash moved)', async () => {
    await start([v2]);
    await start([v2]);
    const dropped = await applySchemaOnStart(db, buildSchema([v1]), { allowDataLoss: true });
    expect(dropped.applied).toHaveLength(1);
    // the start's inputs are those of the recorded key, but the database no longer matches them
    expect((await start([v2])).applied).toEqual(['add column "posts"."views" (numeric)']);
  });

  it('still marks superusers verified on a start that skips the plan', async () => {
    await start([v1]);
    await start([v1]);
    // (a stand-in for the system collection: the fix-up only needs the table and its verified column)
    await db.writer.run(async (tx) => {
      await sql`CREATE TABLE _superusers (id TEXT PRIMARY KEY, verified BOOLEAN)`.execute(tx.db);
      await sql`INSERT INTO _superusers (id, verified) VALUES ('s1', 0), ('s2', NULL)`.execute(tx.db);
    });
    await breakAppliedCollections();
    await start([v1]);
    expect(await db.read.selectFrom('_superusers').select(['id', 'verified']).orderBy('id').execute()).toEqual([
      { id: 's1', verified: 1 },
      { id: 's2', verified: 1 },
    ]);
  });

  it('keys on the collections: the same models give the same key, a changed rule another', () => {
    expect(computeStartKey(buildSchema([v1]))).toBe(computeStartKey(buildSchema([structuredClone(v1)])));
    expect(computeStartKey(buildSchema([{ ...v1, listRule: '' }]))).not.toBe(computeStartKey(buildSchema([v1])));
  });
});
