// The view steps of the planner as a table: (applied, desired) → the exact plan, in the order it runs.
import { describe, expect, it } from 'vitest';
import type { CollectionModel } from '../../schema/model.ts';
import { planMigration } from './plan.ts';
import { makeCollection as col, makeField as field } from './testing.ts';

function describePlan(applied: CollectionModel[], desired: CollectionModel[]): string[] {
  return planMigration(applied, desired).steps.flatMap((s) => [`${s.lossy ? 'LOSSY ' : ''}${s.kind}: ${s.description}`, ...s.details.map((d) => `  - ${d}`)]);
}

const posts = col('posts', [field('title', 'text'), field('views', 'number')]);
const postsAsText = col('posts', [field('title', 'text'), field('views', 'text')]);
const users = col('users', [field('name', 'text')]);
const view = (name: string, viewQuery: string, fields = [field('title', 'text')], extra: Partial<CollectionModel> = {}) =>
  col(name, fields, { type: 'view', viewQuery, ...extra });
const titles = view('titles', 'SELECT id, title FROM posts');
const titles2 = view('titles', 'SELECT id, title FROM posts WHERE views > 0');
const onTitles = view('on_titles', 'SELECT t.id, t.title FROM titles t');

const CASES: Array<[name: string, applied: CollectionModel[], desired: CollectionModel[], plan: string[]]> = [
  ['a new view is created after the table it reads, whatever the file order', [], [titles, posts], [
    'createTable: create table "posts" (id, title, views)',
    'createView: create view "titles" (id, title)',
  ]],
  ['nothing changed: no steps', [posts, titles], [titles, posts], []],
  ['a changed query replaces the view after the tables, with its field changes', [posts, titles], [posts, view('titles', 'SELECT id, title, views FROM posts', [field('title', 'text'), field('views', 'number')])], [
    'replaceView: replace view "titles" (its query changed)',
    '  - "views" is added (number)',
  ]],
  ['a rebuilt table: the view reading it is dropped first and created again after', [posts, titles], [postsAsText, titles], [
    'dropView: drop view "titles" (created again below, after the tables it reads change)',
    'rebuildTable: rebuild table "posts" (copies every row into the new shape)',
    '  - "views" changes from number to text: each number becomes its text',
    'createView: create view "titles", again (id, title)',
  ]],
  ['a view over a view over a rebuilt table: both go first (the outer one first) and come back inner first', [posts, titles, onTitles], [onTitles, postsAsText, titles], [
    'dropView: drop view "on_titles" (created again below, after the tables it reads change)',
    'dropView: drop view "titles" (created again below, after the tables it reads change)',
    'rebuildTable: rebuild table "posts" (copies every row into the new shape)',
    '  - "views" changes from number to text: each number becomes its text',
    'createView: create view "titles", again (id, title)',
    'createView: create view "on_titles", again (id, title)',
  ]],
  ['a column added to a table a view reads also recreates the view (SQLite checks views on ALTER)', [posts, titles], [{ ...posts, fields: [...posts.fields, field('extra', 'bool')] }, titles], [
    'dropView: drop view "titles" (created again below, after the tables it reads change)',
    'addColumn: add column "posts"."extra" (boolean)',
    'createView: create view "titles", again (id, title)',
  ]],
  ['a table change leaves views that do not read it alone', [posts, users, titles], [posts, { ...users, fields: [...users.fields, field('extra', 'bool')] }, titles], [
    'addColumn: add column "users"."extra" (boolean)',
  ]],
  ['a view whose inner view is replaced is replaced after it', [posts, titles, onTitles], [posts, titles2, onTitles], [
    'replaceView: replace view "titles" (its query changed)',
    'replaceView: replace view "on_titles" (a view it reads is replaced)',
  ]],
  ['a renamed view (same id) is dropped first and created under its new name', [posts, titles], [posts, { ...titles, name: 'headlines' }], [
    'dropView: drop view "titles" (created again as "headlines" below)',
    'createView: create view "headlines", renamed from "titles" (id, title)',
  ]],
  ['a dropped table and the view reading it: the view goes before the table', [posts, users, titles], [users], [
    'dropView: drop view "titles"',
    'LOSSY dropTable: drop table "posts" and all its rows',
  ]],
  ['a renamed table: its views are dropped before the rename and created after', [posts, titles], [{ ...posts, name: 'articles' }, view('titles', 'SELECT id, title FROM articles')], [
    'dropView: drop view "titles" (created again below, after the tables it reads change)',
    'renameTable: rename table "posts" to "articles"',
    'createView: create view "titles", again (id, title)',
  ]],
  ['a rule change on a view is a step without SQL', [posts, titles], [posts, { ...titles, listRule: 'title != ""' }], [
    'updateCollection: update "titles": listRule',
    '  - listRule: null → "title != \\"\\""',
  ]],
  ['a field option of a view (same query) is recorded without SQL', [posts, titles], [posts, view('titles', titles.viewQuery!, [field('title', 'text', { hidden: true })])], [
    'updateCollection: update the fields of view "titles"',
    '  - "title" hidden: false → true',
  ]],
  ['a base collection that becomes a view of the same name: table dropped, view created', [posts, users], [posts, view('users', 'SELECT id, title FROM posts', [field('title', 'text')], { id: 'pbc_users_view' })], [
    'LOSSY dropTable: drop table "users" and all its rows',
    'createView: create view "users" (id, title)',
  ]],
];

describe('planMigration: views', () => {
  it.each(CASES)('%s', (_name, applied, desired, expected) => {
    expect(describePlan(applied, desired)).toEqual(expected);
  });

  it('runs the query wrapped in one SELECT, and records the views as applied', () => {
    const plan = planMigration([], [posts, view('titles', 'SELECT id, title FROM posts;  ')]);
    expect(plan.steps.at(-1)!.sql).toEqual(['create view "titles" as SELECT * FROM (SELECT id, title FROM posts\n)']);
    expect(plan.collections.map((c) => c.name)).toEqual(['posts', 'titles']);
  });

  it('a replaced view drops the old one in the same step', () => {
    const plan = planMigration([posts, titles], [posts, titles2]);
    expect(plan.steps.map((s) => s.sql)).toEqual([['drop view if exists "titles"', 'create view "titles" as SELECT * FROM (SELECT id, title FROM posts WHERE views > 0\n)']]);
  });
});
