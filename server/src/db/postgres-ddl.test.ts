import { describe, expect, it } from 'vitest';
import { buildPostgresCreateTableSql } from './postgres-ddl.ts';

describe('buildPostgresCreateTableSql: the column types docs/postgresql.md decides', () => {
  it('text and JSON as C-collated text, numbers as float8, bools as galley_bool (float8 0/1), a _rowid_ identity', () => {
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
        '"tags" text COLLATE "C" default \'[]\' not null, "meta" text COLLATE "C", "_rowid_" bigint generated always as identity)',
    );
  });
});
