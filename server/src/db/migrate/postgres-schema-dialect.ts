/**
 * PostgreSQL's schema dialect (issue 17): the DDL of ../postgres-ddl.ts, columns altered in place (the table
 * is never rebuilt, so rows keep their `_rowid_`), and the conversions and data checks written over
 * `galley_jsonb` (query/postgres-dialect.ts: SQLite's lenient JSON read) so they give SQLite's values: a list
 * is written back compact (`["a","b"]`, as json_group_array does), a number becomes SQLite's text of it.
 */
import { sql } from 'kysely';
import {
  buildPostgresAddColumnSql,
  buildPostgresAlterColumnSql,
  buildPostgresCopyRowsSql,
  buildPostgresCreateIndexSql,
  buildPostgresCreateTableSql,
  buildPostgresCreateViewSql,
  buildPostgresDropColumnSql,
  buildPostgresDropIndexSql,
  buildPostgresDropTableSql,
  buildPostgresDropViewSql,
  buildPostgresIndexExpression,
  buildPostgresRenameColumnSql,
  buildPostgresRenameTableSql,
  buildPostgresUpdateColumnSql,
  requoteForPostgres,
  storedDefault,
} from '../postgres-ddl.ts';
import type { Conversion } from './conversions.ts';
import { trimViewQuery } from './ddl.ts';
import type { SchemaDialect, SqlExpr } from './schema-dialect.ts';

const jsonOf = (value: SqlExpr) => sql`galley_jsonb(${value})`;
const isArray = (value: SqlExpr) => sql`jsonb_typeof(${jsonOf(value)}) = 'array'`;

/**
 * Items of a JSON array value kept by `keep` (a condition on `je.value`, jsonb, and `je.key`, 1-based), as a
 * compact JSON array; a value that is not an array stays as it is.
 */
function filterListSql(value: SqlExpr, keep: SqlExpr): SqlExpr {
  return sql`(CASE WHEN ${isArray(value)} THEN (SELECT coalesce('[' || string_agg(je.value::text, ',' ORDER BY je.key) || ']', '[]')
    FROM jsonb_array_elements(${jsonOf(value)}) WITH ORDINALITY AS je(value, key) WHERE ${keep}) ELSE ${value} END)`;
}

function convertValue(conversion: Conversion, value: SqlExpr, to: { spec: { defaultValue: unknown }; maxSelect: number }): SqlExpr {
  switch (conversion) {
    case 'copy':
      return value;
    case 'numberToText':
      return sql`coalesce(galley_real_text(${value}), '')`;
    case 'textToNumber':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = '' THEN 0 ELSE CAST(${value} AS double precision) END)`;
    case 'boolToNumber':
      return sql`(CASE WHEN ${value} = 1 THEN 1 ELSE 0 END)`;
    case 'numberToBool':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = 0 THEN 0 ELSE 1 END)`;
    case 'wrapInList':
      return sql`(CASE WHEN ${value} IS NULL OR ${value} = '' THEN '[]' ELSE json_build_array(${value})::text END)`;
    case 'lastOfList':
      // wire: a single-value field keeps the LAST item it is given
      return sql`(CASE WHEN ${value} IS NULL THEN '' WHEN ${isArray(value)} THEN coalesce(${jsonOf(value)} ->> -1, '') ELSE ${value} END)`;
    case 'trimList':
      return filterListSql(value, sql`je.key > jsonb_array_length(${jsonOf(value)}) - ${sql.lit(to.maxSelect)}`);
    case 'reset': {
      const dflt = storedDefault(to.spec as never);
      return dflt === null ? sql`NULL` : sql.lit(dflt);
    }
  }
}

export const postgresSchemaDialect: SchemaDialect = {
  maxNameBytes: 63, // NAMEDATALEN - 1: PostgreSQL cuts longer names short without a word
  createTable: buildPostgresCreateTableSql,
  dropTable: buildPostgresDropTableSql,
  renameTable: buildPostgresRenameTableSql,
  addColumn: buildPostgresAddColumnSql,
  dropColumn: buildPostgresDropColumnSql,
  renameColumn: buildPostgresRenameColumnSql,
  createIndex: buildPostgresCreateIndexSql,
  dropIndex: buildPostgresDropIndexSql,
  updateColumn: buildPostgresUpdateColumnSql,
  copyRows: buildPostgresCopyRowsSql,
  createView: (name, query) => buildPostgresCreateViewSql(name, trimViewQuery(query)),
  dropView: buildPostgresDropViewSql,
  alterColumn: (change) => [
    ...buildPostgresAlterColumnSql(change),
    ...(change.then ? [buildPostgresUpdateColumnSql(change.table, change.column, change.then)] : []),
  ],
  convertValue,
  keepIds: (value, target, multi) => {
    const ids = sql`(SELECT ${sql.ref('id')} FROM ${sql.table(target)})`;
    if (multi) return filterListSql(value, sql`(je.value #>> '{}') IN ${ids}`);
    return sql`(CASE WHEN ${value} IN ${ids} THEN ${value} ELSE '' END)`;
  },
  listLength: (value) => sql`(CASE WHEN ${isArray(value)} THEN jsonb_array_length(${jsonOf(value)}) ELSE 0 END)`,
  hasItemNotIn: (value, ids) =>
    sql`(CASE WHEN ${isArray(value)} THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(${jsonOf(value)}) AS je(value) WHERE je.value NOT IN ${ids}) ELSE false END)`,
  // by id, the primary key (`_rowid_`'s unique index would serve as well)
  pageKey: { column: 'id', first: '' },
  indexExpression: (c) => sql.raw(buildPostgresIndexExpression(c)),
  indexWhere: (where) => sql`(${sql.raw(requoteForPostgres(where))})`,
  // EXCLUSIVE lets others read but not write; the plan's ALTERs take ACCESS EXCLUSIVE later in the same transaction
  lockForChecks: async (db, tables) => {
    if (tables.length > 0) await sql`LOCK TABLE ${sql.join(tables.map((t) => sql.table(t)))} IN EXCLUSIVE MODE`.execute(db);
  },
  tableExists: async (db, name) => {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name = ${name}`.execute(db);
    return Number(rows[0]?.n) > 0;
  },
  listViews: async (db) => {
    const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.views WHERE table_schema = current_schema()`.execute(db);
    return rows.map((r) => r.name);
  },
  // PostgreSQL checks a declared foreign key on every statement: nothing can be left dangling to find
  checkForeignKeys: () => Promise.resolve(),
};

