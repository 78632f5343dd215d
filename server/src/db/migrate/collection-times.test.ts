// Collection created/updated times kept by migrateDatabase: first applied, last changed, forgotten when dropped.
import { describe, expect, it } from 'vitest';
import { PARAMS_TABLE } from '../meta-tables.ts';
import type { OpenedDatabase } from '../open.ts';
import { readCollectionTimes } from './collection-times.ts';
import { migrateDatabase } from './migrate-database.ts';
import { makeCollection as col, makeField as field, useFreshDatabase } from './testing.ts';

let db: OpenedDatabase;
useFreshDatabase((opened) => (db = opened));

const at = (n: number) => new Date(Date.UTC(2024, 0, n, 10));
const stamp = (n: number) => `2024-01-0${n} 10:00:00.000Z`;
const times = async () => Object.fromEntries(await readCollectionTimes(db.read));

const posts = col('posts', [field('title', 'text')]);
const tags = col('tags', [field('name', 'text')]);

describe('collection times', () => {
  it('a collection is created when first applied and updated when its model changes; others keep theirs', async () => {
    await migrateDatabase(db, [posts], { now: at(1) });
    expect(await times()).toEqual({ pbc_posts: { created: stamp(1), updated: stamp(1) } });
    await migrateDatabase(db, [posts, tags], { now: at(2) });
    await migrateDatabase(db, [{ ...posts, listRule: '' }, tags], { now: at(3) });
    expect(await times()).toEqual({
      pbc_posts: { created: stamp(1), updated: stamp(3) },
      pbc_tags: { created: stamp(2), updated: stamp(2) },
    });
    // a rename keeps the id: the same collection, changed
    await migrateDatabase(db, [{ ...posts, listRule: '' }, { ...tags, name: 'labels' }], { now: at(4) });
    expect((await times())['pbc_tags']).toEqual({ created: stamp(2), updated: stamp(4) });
  });

  it('a dropped collection is forgotten, and one created again with its id starts anew', async () => {
    await migrateDatabase(db, [posts, tags], { now: at(1) });
    await migrateDatabase(db, [posts], { now: at(2), allowDataLoss: true });
    expect(Object.keys(await times())).toEqual(['pbc_posts']);
    await migrateDatabase(db, [posts, tags], { now: at(3) });
    expect((await times())['pbc_tags']).toEqual({ created: stamp(3), updated: stamp(3) });
  });

  it('nothing to apply writes nothing; a database applied before times were kept gets the last apply time', async () => {
    await migrateDatabase(db, [posts], { now: at(1) });
    await migrateDatabase(db, [posts], { now: at(2) });
    expect(await times()).toEqual({ pbc_posts: { created: stamp(1), updated: stamp(1) } });
    await db.writer.run((tx) => tx.db.deleteFrom(PARAMS_TABLE).where('key', '=', 'collection_times').execute());
    await migrateDatabase(db, [posts, tags], { now: at(3) });
    expect(await times()).toEqual({
      pbc_posts: { created: stamp(1), updated: stamp(1) },
      pbc_tags: { created: stamp(3), updated: stamp(3) },
    });
  });
});
