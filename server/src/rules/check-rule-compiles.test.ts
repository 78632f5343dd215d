// The load-time rule check compiles with the database's dialect: a rule PostgreSQL's compiler refuses (a strftime
// modifier) is refused when the schema loads for PostgreSQL, and still loads for SQLite; the same schema
// otherwise loads on both. The live loads (reload, collections API) take the dialect from core.db.
import { describe, expect, it } from 'vitest';
import { buildLiveLoadOptions } from '../admin/schema-reload.ts';
import type { Core } from '../core.ts';
import { sqliteDialect, type FilterDialect } from '../query/dialect.ts';
import { postgresDialect } from '../query/postgres-dialect.ts';
import { loadSchema, type LoadSchemaOptions } from '../schema/load.ts';
import { SchemaError } from '../schema/schema-error.ts';
import { buildFullLoadOptions, FULL_LOAD_OPTIONS } from './check-rule-compiles.ts';

const posts = (listRule: string) => [
  {
    name: 'posts',
    listRule,
    viewRule: "title != ''",
    fields: [
      { name: 'title', type: 'text' },
      { name: 'due', type: 'date' },
      { name: 'views', type: 'number' },
    ],
  },
];

function problemsOf(input: unknown, options: LoadSchemaOptions): string[] {
  try {
    loadSchema(input, 'schema', options);
    return [];
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

const coreOn = (dialect: FilterDialect) => ({ db: { dialect } }) as unknown as Core;

describe('rules are compiled at load as the database will compile them', () => {
  it('a strftime modifier loads for SQLite and is refused for PostgreSQL, naming the rule', () => {
    const schema = posts("strftime('%Y-%m', due, 'start of month') = '2026-01' && views > 1");
    expect(problemsOf(schema, FULL_LOAD_OPTIONS)).toEqual([]);
    expect(problemsOf(schema, buildFullLoadOptions(sqliteDialect))).toEqual([]);
    expect(problemsOf(schema, buildFullLoadOptions(postgresDialect))).toEqual([
      expect.stringMatching(/listRule.*invalid rule: strftime\(\): modifiers are not supported on PostgreSQL/),
    ]);
    expect(problemsOf(schema, buildLiveLoadOptions(coreOn(postgresDialect)))).toHaveLength(1);
    expect(problemsOf(schema, buildLiveLoadOptions(coreOn(sqliteDialect)))).toEqual([]);
  });

  it('rules both compile load on both, and an unknown field is refused on both', () => {
    const fine = posts("strftime('%Y', due) = '2026' && title ~ 'a' && views >= 2");
    expect(problemsOf(fine, buildFullLoadOptions(sqliteDialect))).toEqual([]);
    expect(problemsOf(fine, buildFullLoadOptions(postgresDialect))).toEqual([]);
    const unknown = posts('nope = 1');
    expect(problemsOf(unknown, buildFullLoadOptions(postgresDialect))).toEqual(problemsOf(unknown, FULL_LOAD_OPTIONS));
    expect(problemsOf(unknown, FULL_LOAD_OPTIONS)).toHaveLength(1);
  });
});
