/**
 * A collection's table in PostgreSQL: the column types docs/postgresql.md decides, as SQL text (compiled without
 * a connection, like migrate/ddl.ts for SQLite). The first piece of the PostgreSQL schema planner: CREATE TABLE
 * only; altering, indexes and the plan itself are next.
 *
 * - json: `text` holding JSON (the stored text is the wire text; jsonb would reorder keys and respace)
 * - numeric: `double precision` (PocketBase's float64); boolean: `double precision` 0/1 with a CHECK, so the
 *   filter's `true`/`false` (= 1/0) and any number compare with it as on SQLite
 * - text: `COLLATE "C"`, bytewise order as SQLite's BINARY, whatever the database's default collation
 * - every table: `_rowid_`, an identity in insertion order, for the `@rowid` sort (SQLite's rowid)
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type RawBuilder } from 'kysely';
import type { ColumnSpec } from '../schema/fields/field-type.ts';

export interface PostgresColumnDef {
  name: string;
  spec: ColumnSpec;
}

const COLUMN_TYPES: Record<ColumnSpec['type'], RawBuilder<unknown>> = {
  text: sql`text COLLATE "C"`,
  numeric: sql`double precision`,
  boolean: sql`double precision`,
  json: sql`text COLLATE "C"`,
};

/** The column `@rowid` sorts by (query/postgres-dialect.ts names it). */
export const POSTGRES_ROWID_COLUMN = '_rowid_';

let compiler: Kysely<any> | undefined;
const k = (): Kysely<any> =>
  (compiler ??= new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }));

function storedDefault(spec: ColumnSpec): string | number | null {
  if (typeof spec.defaultValue === 'boolean') return spec.defaultValue ? 1 : 0;
  return spec.defaultValue;
}

export function buildPostgresCreateTableSql(table: string, columns: readonly PostgresColumnDef[]): string {
  let b = k().schema.createTable(table);
  for (const col of columns) {
    b = b.addColumn(col.name, COLUMN_TYPES[col.spec.type], (c) => {
      if (col.spec.primaryKey) return c.primaryKey().notNull();
      let out = c;
      const dflt = storedDefault(col.spec);
      if (dflt !== null) out = out.defaultTo(dflt);
      if (col.spec.notNull) out = out.notNull();
      if (col.spec.type === 'boolean') out = out.check(sql`${sql.ref(col.name)} IN (0, 1)`);
      return out;
    });
  }
  b = b.addColumn(POSTGRES_ROWID_COLUMN, 'bigint', (c) => c.generatedAlwaysAsIdentity());
  const compiled = b.compile();
  if (compiled.parameters.length > 0) throw new Error(`DDL must not bind parameters: ${compiled.sql}`);
  return compiled.sql;
}
