import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseIndexDefinition } from '../schema/index-sql.ts';
import { buildPostgresAlterColumnSql, buildPostgresCreateIndexSql, buildPostgresCreateTableSql, buildPostgresCreateViewSql } from './postgres-ddl.ts';

describe('buildPostgresCreateTableSql: the column types docs/postgresql.md decides', () => {
  it('text and JSON as C-collated text, numbers as float8, bools as galley_bool (float8 0/1), a unique _rowid_ identity', () => {
    const text = buildPostgresCreateTableSql('posts', [
      { name: 'id', spec: { type: 'text', notNull: true, defaultValue: null, primaryKey: true } },
      { name: 'title', spec: { type: 'text', notNull: true, defaultValue: "it's" } },
      { name: 'views', spec: { type: 'numeric', notNull: true, defaultValue: 0 } },
      { name: 'published', spec: { type: 'boolean', notNull: true, defaultValue: false } },
      { name: 'tags', spec: { type: 'json', notNull: true, defaultValue: '[]' } },
      { name: 'meta', spec: { type: 'json', notNull: false, defaultValue: null } },
    ]);
    expect(text).toBe(
      'create table "posts" ("id" text COLLATE "C" not null primary key, "title" text COLLATE "C" default \'it\'\'s\' not null, ' +
        '"views" double precision default 0 not null, "published" galley_bool default 0 not null, ' +
        '"tags" text COLLATE "C" default \'[]\' not null, "meta" text COLLATE "C", "_rowid_" bigint generated always as identity unique)',
    );
  });
});

describe('the PostgreSQL schema DDL the migrations planner runs', () => {
  const text = { type: 'text', notNull: true, defaultValue: '' } as const;
  const number = { type: 'numeric', notNull: true, defaultValue: 0 } as const;
  const bool = { type: 'boolean', notNull: true, defaultValue: false } as const;

  it('changes a type in place: default dropped, USING the conversion, the new default set', () => {
    const converted = sql`(CASE WHEN ${sql.ref('posts.n')} = '' THEN 0 ELSE CAST(${sql.ref('posts.n')} AS double precision) END)`;
    const change = { subquery: false, unchanged: false };
    expect(buildPostgresAlterColumnSql({ table: 'posts', column: 'n', from: text, to: number, converted, ...change })).toEqual([
      'alter table "posts" alter column "n" drop default',
      'alter table "posts" alter column "n" type double precision USING (CASE WHEN "posts"."n" = \'\' THEN 0 ELSE CAST("posts"."n" AS double precision) END)',
      'alter table "posts" alter column "n" set default 0',
    ]);
    // bool → number: both float8 underneath, but the domain goes (the type changes)
    expect(buildPostgresAlterColumnSql({ table: 't', column: 'b', from: bool, to: number, converted: sql`1`, ...change })[1]).toBe('alter table "t" alter column "b" type double precision USING 1');
    // same type, other NOT NULL, values kept: no rewrite at all
    const json = { type: 'json', notNull: false, defaultValue: null } as const;
    const list = { type: 'json', notNull: true, defaultValue: '[]' } as const;
    expect(buildPostgresAlterColumnSql({ table: 't', column: 'j', from: list, to: json, converted: sql.ref('t.j'), subquery: false, unchanged: true })).toEqual([
      'alter table "t" alter column "j" drop default',
      'alter table "t" alter column "j" drop not null',
    ]);
    // same type, values converted: one rewrite through USING; with a subquery (a list trimmed) an UPDATE
    expect(buildPostgresAlterColumnSql({ table: 't', column: 'j', from: list, to: text, converted: sql`f(${sql.ref('t.j')})`, ...change })).toEqual([
      'alter table "t" alter column "j" drop default',
      'alter table "t" alter column "j" type text COLLATE "C" USING f("t"."j")',
      'alter table "t" alter column "j" set default \'\'',
    ]);
    expect(buildPostgresAlterColumnSql({ table: 't', column: 'j', from: list, to: list, converted: sql`(SELECT 1)`, subquery: true, unchanged: false })).toEqual([
      'update "t" set "j" = (SELECT 1)',
    ]);
  });

  it("translates SQLite's index text: quotes, COLLATE NOCASE as lower(), a partial index's WHERE", () => {
    const idx = parseIndexDefinition("CREATE UNIQUE INDEX `idx_email` ON `users` (`email` COLLATE NOCASE DESC, [name], lower(`x`)) WHERE `email` != ''")!;
    expect(buildPostgresCreateIndexSql(idx)).toBe(
      'CREATE UNIQUE INDEX "idx_email" ON "users" ((lower("email")) DESC NULLS LAST, "name" NULLS FIRST, (lower("x")) NULLS FIRST) WHERE "email" != \'\'',
    );
    expect(() => buildPostgresCreateIndexSql(parseIndexDefinition('CREATE INDEX i ON t (a COLLATE klingon)')!)).toThrow(/BINARY, NOCASE and RTRIM only/);
  });

  it('a view is the query as written, in a named subquery', () => {
    expect(buildPostgresCreateViewSql('v', 'SELECT id FROM posts -- note')).toBe('create view "v" as SELECT * FROM (SELECT id FROM posts -- note\n) AS "_galley_view"');
  });
});
