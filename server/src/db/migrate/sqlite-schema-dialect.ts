/**
 * SQLite's schema dialect: exactly the SQL Galley has always planned (ddl.ts, conversions.ts) and the data
 * checks' expressions over SQLite's JSON functions. SQLite cannot change a column's type in place, so
 * `alterColumn` is null and the planner rebuilds the table.
 */
import { sql } from 'kysely';
import { GalleyError } from '../../errors.ts';
import { buildConversionSql, buildKeepIdsSql } from './conversions.ts';
import {
  buildAddColumnSql,
  buildCopyRowsSql,
  buildCreateIndexSql,
  buildCreateTableSql,
  buildCreateViewSql,
  buildDropColumnSql,
  buildDropIndexSql,
  buildDropTableSql,
  buildDropViewSql,
  buildRenameColumnSql,
  buildRenameTableSql,
  buildUpdateColumnSql,
} from './ddl.ts';
import type { SchemaDialect, SqlExpr } from './schema-dialect.ts';

function buildListLength(value: SqlExpr): SqlExpr {
  return sql`(CASE WHEN NOT json_valid(${value}) THEN 0 WHEN json_type(${value}) != 'array' THEN 0 ELSE json_array_length(${value}) END)`;
}

export const sqliteSchemaDialect: SchemaDialect = {
  maxNameBytes: null,
  createTable: buildCreateTableSql,
  dropTable: buildDropTableSql,
  renameTable: buildRenameTableSql,
  addColumn: buildAddColumnSql,
  dropColumn: buildDropColumnSql,
  renameColumn: buildRenameColumnSql,
  createIndex: buildCreateIndexSql,
  dropIndex: buildDropIndexSql,
  updateColumn: buildUpdateColumnSql,
  copyRows: buildCopyRowsSql,
  createView: buildCreateViewSql,
  dropView: buildDropViewSql,
  alterColumn: null,
  convertValue: buildConversionSql,
  keepIds: buildKeepIdsSql,
  listLength: buildListLength,
  hasItemNotIn: (value, ids) =>
    sql`(CASE WHEN ${buildListLength(value)} = 0 THEN 0 ELSE EXISTS (SELECT 1 FROM json_each(${value}) AS je WHERE je.value NOT IN ${ids}) END)`,
  pageKey: { column: 'rowid', first: Number.MIN_SAFE_INTEGER },
  indexExpression: (c) => {
    const e = c.expression ? sql.raw(c.name) : sql.ref(c.name);
    return c.collate ? sql`${e} COLLATE ${sql.raw(c.collate)}` : e;
  },
  indexWhere: (where) => sql`(${sql.raw(where)})`,
  lockForChecks: () => Promise.resolve(),
  tableExists: async (db, name) => {
    const row = await db.selectFrom('sqlite_master').select('name').where('type', '=', 'table').where('name', '=', name).executeTakeFirst();
    return row !== undefined;
  },
  listViews: async (db) => {
    const views = await db.selectFrom('sqlite_master').select('name').where('type', '=', 'view').execute();
    return views.map((v) => String(v.name));
  },
  checkForeignKeys: async (db) => {
    // Galley's relations live in the data, but a table with a declared foreign key must not be left dangling.
    const { rows } = await sql<{ table: string; rowid: number; parent: string }>`SELECT * FROM pragma_foreign_key_check`.execute(db);
    if (rows.length === 0) return;
    const first = rows[0]!;
    throw new GalleyError('invalid', `the migration would leave ${rows.length} rows pointing at missing rows (first: table "${first.table}" row ${first.rowid} → "${first.parent}"); nothing was applied`);
  },
};
