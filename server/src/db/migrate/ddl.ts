/**
 * The SQL text of each step, built with Kysely's schema builder and compiled without a connection, so a
 * plan can be printed, checked and stored before anything runs. Column types are upper-case as PocketBase
 * declares them (SQLite keeps the declared spelling; tools and view inference read it). Nothing here binds
 * a parameter: names are identifiers, defaults and our own constants are literals, and index text has
 * been checked by schema/index-sql.ts to be one statement's worth.
 */
import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { ColumnSpec } from '../../schema/fields/field-type.ts';
import type { ParsedIndex } from '../../schema/index-sql.ts';
import { createCompileOnlyKysely } from '../dialect.ts';

export interface ColumnDef {
  name: string;
  spec: ColumnSpec;
}

const COLUMN_TYPES: Record<ColumnSpec['type'], RawBuilder<unknown>> = {
  text: sql`TEXT`,
  numeric: sql`NUMERIC`,
  boolean: sql`BOOLEAN`,
  json: sql`JSON`,
};

let compiler: Kysely<any> | undefined;
const k = (): Kysely<any> => (compiler ??= createCompileOnlyKysely());

function compileText(query: Compilable): string {
  const compiled = query.compile();
  if (compiled.parameters.length > 0) throw new Error(`migration SQL must not bind parameters: ${compiled.sql}`);
  return compiled.sql;
}

function defineColumn<T extends { notNull(): T; primaryKey(): T; defaultTo(v: unknown): T }>(spec: ColumnSpec, b: T): T {
  if (spec.primaryKey) return b.primaryKey().notNull();
  let out = b;
  if (spec.defaultValue !== null) out = out.defaultTo(spec.defaultValue);
  if (spec.notNull) out = out.notNull();
  return out;
}

export function buildCreateTableSql(table: string, columns: readonly ColumnDef[]): string {
  let b = k().schema.createTable(table);
  for (const col of columns) b = b.addColumn(col.name, COLUMN_TYPES[col.spec.type], (c) => defineColumn(col.spec, c));
  return compileText(b);
}

export const buildDropTableSql = (table: string): string => compileText(k().schema.dropTable(table));
export const buildRenameTableSql = (from: string, to: string): string => compileText(k().schema.alterTable(from).renameTo(to));

export function buildAddColumnSql(table: string, col: ColumnDef): string {
  return compileText(k().schema.alterTable(table).addColumn(col.name, COLUMN_TYPES[col.spec.type], (c) => defineColumn(col.spec, c)));
}

export const buildDropColumnSql = (table: string, column: string): string => compileText(k().schema.alterTable(table).dropColumn(column));

export function buildRenameColumnSql(table: string, from: string, to: string): string {
  return compileText(k().schema.alterTable(table).renameColumn(from, to));
}

export function buildCreateIndexSql(idx: ParsedIndex): string {
  let b = k().schema.createIndex(idx.name).on(idx.table).expression(sql.raw(idx.columnsSql));
  if (idx.unique) b = b.unique();
  if (idx.where !== '') b = b.where(sql.raw<boolean>(idx.where));
  return compileText(b);
}

export const buildDropIndexSql = (name: string): string => compileText(k().schema.dropIndex(name).ifExists());

/** `UPDATE table SET column = value` for every row. */
export function buildUpdateColumnSql(table: string, column: string, value: RawBuilder<unknown>): string {
  return compileText(k().updateTable(table).set({ [column]: value }));
}

/** `INSERT INTO into (columns) SELECT values FROM from`, values given per target column. */
export function buildCopyRowsSql(into: string, from: string, values: ReadonlyArray<{ column: string; value: RawBuilder<unknown> }>): string {
  const select = k()
    .selectFrom(from)
    .select(values.map((v) => v.value.as(v.column)));
  return compileText(k().insertInto(into).columns(values.map((v) => v.column)).expression(select));
}

/**
 * `CREATE VIEW name AS SELECT * FROM (query)`. The query is the schema file's own SQL (a view is SQL by
 * definition); wire: PocketBase wraps it in a SELECT the same way, which also keeps a second statement out.
 * The newline before `)` keeps a trailing `-- comment` from swallowing it.
 */
export function buildCreateViewSql(name: string, query: string): string {
  return compileText(k().schema.createView(name).as(sql`SELECT * FROM (${sql.raw(trimViewQuery(query))}
)` as never));
}

export const buildDropViewSql = (name: string): string => compileText(k().schema.dropView(name).ifExists());

/** wire: PocketBase trims whitespace and trailing semicolons from a view query. */
export function trimViewQuery(query: string): string {
  return query.trim().replace(/[;\s]+$/, '');
}
