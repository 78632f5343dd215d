/**
 * What the migrations planner and applier need from a database engine: the SQL text of each step, the value
 * expressions of column conversions, the expressions of the data checks, and the few catalog questions the
 * applier asks. SQLite's (sqlite-schema-dialect.ts) is the text Galley always wrote; PostgreSQL's
 * (postgres-schema-dialect.ts) alters columns in place where SQLite rebuilds the table. The planner never
 * asks which engine it plans for: it asks the dialect.
 */
import type { Kysely, RawBuilder } from 'kysely';
import type { ColumnSpec } from '../../schema/fields/field-type.ts';
import type { IndexColumn, ParsedIndex } from '../../schema/index-sql.ts';
import type { ColumnShape, Conversion } from './conversions.ts';
import type { ColumnDef } from './ddl.ts';

export type SqlExpr = RawBuilder<unknown>;
export type { ColumnDef };

/** One column changing shape in place: its specs before and after, and its new values. */
export interface ColumnChange {
  table: string;
  column: string;
  from: ColumnSpec;
  to: ColumnSpec;
  /** the value after the conversion; it reads only the column itself unless `subquery` */
  converted: SqlExpr;
  /** `converted` holds a subquery (a list filtered or trimmed item by item) */
  subquery: boolean;
  /** `converted` is the column as it is (only the type, default or NOT NULL change) */
  unchanged: boolean;
  /** a value to set after that (relation ids filtered), or null */
  then: SqlExpr | null;
}

export interface SchemaDialect {
  /** The longest table, column or index name the engine keeps as written (bytes), or null for no limit. */
  readonly maxNameBytes: number | null;
  createTable(table: string, columns: readonly ColumnDef[]): string;
  dropTable(table: string): string;
  renameTable(from: string, to: string): string;
  addColumn(table: string, col: ColumnDef): string;
  dropColumn(table: string, column: string): string;
  renameColumn(table: string, from: string, to: string): string;
  createIndex(idx: ParsedIndex): string;
  dropIndex(name: string): string;
  /** `UPDATE table SET column = value` for every row. */
  updateColumn(table: string, column: string, value: SqlExpr): string;
  /** `INSERT INTO into (columns) SELECT values FROM from` (the copy of a table rebuild). */
  copyRows(into: string, from: string, values: ReadonlyArray<{ column: string; value: SqlExpr }>): string;
  createView(name: string, query: string): string;
  dropView(name: string): string;
  /**
   * The statements that change a column's type, default or NOT NULL in place, or null when the engine cannot
   * (SQLite: the planner rebuilds the table instead).
   */
  readonly alterColumn: ((change: ColumnChange) => string[]) | null;

  /** The value after `conversion` (conversions.ts says which). */
  convertValue(conversion: Conversion, value: SqlExpr, to: ColumnShape): SqlExpr;
  /** Keeps only ids that exist in `target` (a list value or a single id). */
  keepIds(value: SqlExpr, target: string, multi: boolean): SqlExpr;

  /** The number of items of a JSON array value; 0 for anything else. */
  listLength(value: SqlExpr): SqlExpr;
  /** True when a list value holds an item that is not in `ids` (a subquery of ids). */
  hasItemNotIn(value: SqlExpr, ids: SqlExpr): SqlExpr;
  /** The indexed, unique column a table's rows are paged by, and a value below every row's. */
  readonly pageKey: { column: string; first: string | number };
  /** One indexed expression as the index compares it (its collation applied). */
  indexExpression(column: IndexColumn): SqlExpr;
  /** A partial index's WHERE text as the engine reads it. */
  indexWhere(where: string): SqlExpr;

  /**
   * Keeps other connections from writing to `tables` until the migration commits, so the data checks answered
   * now still hold when the steps run (SQLite: nothing to do, its single writer is running the migration).
   */
  lockForChecks(db: Kysely<any>, tables: readonly string[]): Promise<void>;
  tableExists(db: Kysely<any>, name: string): Promise<boolean>;
  listViews(db: Kysely<any>): Promise<string[]>;
  /** Throws when a declared foreign key is left dangling (engines that check them on each statement do nothing). */
  checkForeignKeys(db: Kysely<any>): Promise<void>;
}
