/** Helpers for tests that run compiled SQL on a real SQLite file (never imported by the product). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DummyDriver, Kysely, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery, type Expression } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type OpenedDatabase } from './open.ts';

/**
 * One data.db for the calling test file, made before its tests: each table created from its column SQL and
 * filled with its rows; closed and removed after them. `use` receives the opened database.
 */
export function useSeededDatabase(
  tables: Record<string, string>,
  rows: Record<string, Array<Record<string, unknown>>>,
  use: (db: OpenedDatabase) => void,
): void {
  let dir = '';
  let db: OpenedDatabase | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'galley-'));
    db = openDatabase({ file: join(dir, 'data.db'), synchronous: 'FULL', busyTimeoutMs: 5000 });
    await db.writer.run(async (tx) => {
      for (const [table, columns] of Object.entries(tables)) {
        await sql`CREATE TABLE ${sql.id(table)} (${sql.raw(columns)})`.execute(tx.db);
        for (const row of rows[table] ?? []) await tx.db.insertInto(table).values(row).execute();
      }
    });
    use(db);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

const compileOnly = new Kysely<any>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (d) => new SqliteIntrospector(d),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** The SQLite text and parameters of an expression, without a database. */
export function compileSqlOnly(e: Expression<unknown>): CompiledQuery {
  return sql`${e}`.compile(compileOnly);
}
