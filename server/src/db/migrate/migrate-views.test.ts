// View steps applied to a real SQLite file holding data: the views read the rows before and after every change.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { CollectionModel } from '../../schema/model.ts';
import type { OpenedDatabase } from '../open.ts';
import { applyPlan } from './apply-plan.ts';
import { listMigrations, readAppliedSchema } from './history.ts';
import { migrateDatabase, type MigrateOptions } from './migrate-database.ts';
import { planMigration } from './plan.ts';
import { makeCollection as col, makeField as field, useFreshDatabase } from './testing.ts';

let db: OpenedDatabase;
useFreshDatabase((opened) => (db = opened), 'galley-views-');

const migrate = (collections: CollectionModel[], opts: MigrateOptions = {}) => migrateDatabase(db, collections, opts);
const insert = (table: string, rows: Array<Record<string, unknown>>) => db.writer.run((tx) => tx.db.insertInto(table).values(rows).execute());
const rowsOf = (table: string) => sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db.read).then((r) => r.rows);
const viewNames = async () => (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name`.execute(db.read)).rows.map((r) => r.name);
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: Error) => e.message);

const posts = col('posts', [field('title', 'text'), field('views', 'number')]);
const postsAsText = col('posts', [field('title', 'text'), field('views', 'text')]);
const view = (name: string, viewQuery: string, fields = [field('title', 'text')]) => col(name, fields, { type: 'view', viewQuery });
const popular = view('popular', 'SELECT id, title, views FROM posts WHERE views > 5', [field('title', 'text'), field('views', 'number')]);
const popularTitles = view('popular_titles', 'SELECT p.id, upper(p.title) AS loud FROM popular p', [field('loud', 'json')]);

async function seed(): Promise<void> {
  await migrate([posts, popular, popularTitles]);
  await insert('posts', [{ id: 'p1', title: 'a', views: 10 }, { id: 'p2', title: 'b', views: 1 }, { id: 'p3', title: 'c', views: 7 }]);
}

describe('migrateDatabase: views', () => {
  it('creates views after their tables, in read order, and records them as applied', async () => {
    await seed();
    expect(await viewNames()).toEqual(['popular', 'popular_titles']);
    expect(await rowsOf('popular_titles')).toEqual([{ id: 'p1', loud: 'A' }, { id: 'p3', loud: 'C' }]);
    expect((await readAppliedSchema(db.read))?.collections.map((c) => c.name)).toEqual(['posts', 'popular', 'popular_titles']);
    expect((await migrate([posts, popular, popularTitles])).steps).toEqual([]);
  });

  it('rebuilds a table two views depend on: the views go and come back in the same transaction, rows intact', async () => {
    await seed();
    const popularText = view('popular', "SELECT id, title, views FROM posts WHERE views > '5'", [field('title', 'text'), field('views', 'text')]);
    const result = await migrate([postsAsText, popularText, popularTitles]);
    expect(result.steps.map((s) => s.kind)).toEqual(['dropView', 'dropView', 'rebuildTable', 'createView', 'createView', 'updateCollection']);
    expect(result.steps.at(-1)!.details).toEqual(['"views" type: "number" → "text"']);
    expect(await rowsOf('posts')).toEqual([{ id: 'p1', title: 'a', views: '10' }, { id: 'p2', title: 'b', views: '1' }, { id: 'p3', title: 'c', views: '7' }]);
    expect(await rowsOf('popular_titles')).toEqual([{ id: 'p3', loud: 'C' }]); // '10' > '5' is false as text
    expect((await listMigrations(db.read)).at(-1)!.sql.filter((s) => /^(create|drop) view/.test(s))).toHaveLength(4);
    expect((await migrate([postsAsText, popularText, popularTitles])).steps).toEqual([]);
  });

  it('SQLite refuses the rebuild when a dependent view stays: the plan without its view steps fails and changes nothing', async () => {
    await seed();
    const applied = (await readAppliedSchema(db.read))!.collections;
    const plan = planMigration(applied, [postsAsText, popular, popularTitles]);
    const withoutViews = { ...plan, steps: plan.steps.filter((s) => !s.kind.endsWith('View')) };
    const message = await failure(db.writer.run((tx) => applyPlan(tx.db, withoutViews)));
    expect(message).toMatch(/error in view popular/);
    expect(await rowsOf('popular')).toHaveLength(2);
    expect(await viewNames()).toEqual(['popular', 'popular_titles']);
  });

  it('replaces a view whose query changed; the view over it reads the new rows', async () => {
    await seed();
    const popular2 = view('popular', 'SELECT id, title, views FROM posts WHERE views > 0', [field('title', 'text'), field('views', 'number')]);
    const result = await migrate([posts, popular2, popularTitles]);
    expect(result.steps.map((s) => s.description)).toEqual(['replace view "popular" (its query changed)', 'replace view "popular_titles" (a view it reads is replaced)']);
    expect((await rowsOf('popular_titles')).map((r) => r['id'])).toEqual(['p1', 'p2', 'p3']);
  });

  it('a renamed table and a view that follows it; a dropped view is gone', async () => {
    await seed();
    const articles = { ...posts, name: 'articles' };
    const popular2 = view('popular', 'SELECT id, title, views FROM articles WHERE views > 5', [field('title', 'text'), field('views', 'number')]);
    await migrate([articles, popular2]);
    expect(await viewNames()).toEqual(['popular']);
    expect((await rowsOf('popular')).map((r) => r['id'])).toEqual(['p1', 'p3']);
  });

  it('refuses, applying nothing, a view SQLite cannot read after the migration (a column it reads is dropped)', async () => {
    await seed();
    const noViews = col('posts', [field('title', 'text')]);
    const message = await failure(migrate([noViews, popular, popularTitles], { allowDataLoss: true }));
    expect(message).toMatch(/view "popular" cannot be read after the migration \(no such column: views\); nothing was applied/);
    expect(await rowsOf('posts')).toHaveLength(3);
    expect(Object.keys((await rowsOf('posts'))[0]!)).toEqual(['id', 'title', 'views']);
  });
});
