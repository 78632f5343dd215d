/**
 * Runs planned steps through Kysely's schema builder (dialect-neutral DDL: text/numeric/boolean/json become
 * TEXT/NUMERIC/BOOLEAN/JSON on SQLite, as PocketBase declares them). Returns the SQL it ran, for the history.
 * The caller owns the transaction.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { GalleyError } from '../../errors.ts';
import type { ColumnDef, SchemaStep } from './plan.ts';

type Compilable = { compile(): { sql: string }; execute(): Promise<unknown> };

// Upper-case as PocketBase declares them (SQLite keeps the declared spelling; tools and view inference read it).
const COLUMN_TYPES: Record<ColumnDef['spec']['type'], RawBuilder<unknown>> = {
  text: sql`TEXT`,
  numeric: sql`NUMERIC`,
  boolean: sql`BOOLEAN`,
  json: sql`JSON`,
};

function defineColumn<T extends { notNull(): T; primaryKey(): T; defaultTo(v: unknown): T }>(col: ColumnDef, b: T): T {
  if (col.spec.primaryKey) return b.primaryKey().notNull();
  let out = b;
  if (col.spec.defaultValue !== null) out = out.defaultTo(col.spec.defaultValue);
  if (col.spec.notNull) out = out.notNull();
  return out;
}

function buildStep(db: Kysely<any>, step: SchemaStep): Compilable {
  switch (step.kind) {
    case 'createTable': {
      let b = db.schema.createTable(step.table);
      for (const col of step.columns) b = b.addColumn(col.name, COLUMN_TYPES[col.spec.type], (c) => defineColumn(col, c));
      return b;
    }
    case 'renameTable':
      return db.schema.alterTable(step.from).renameTo(step.to);
    case 'addColumn':
      return db.schema.alterTable(step.table).addColumn(step.column.name, COLUMN_TYPES[step.column.spec.type], (c) => defineColumn(step.column, c));
    case 'renameColumn':
      return db.schema.alterTable(step.table).renameColumn(step.from, step.to);
    case 'createIndex': {
      const idx = step.index;
      // Columns and WHERE are source text that parseCollectionIndex has checked to be one statement's worth.
      let b = db.schema.createIndex(idx.name).on(idx.table).expression(sql.raw(idx.columnsSql));
      if (idx.unique) b = b.unique();
      if (idx.where !== '') b = b.where(sql.raw<boolean>(idx.where));
      return b;
    }
    case 'dropIndex':
      return db.schema.dropIndex(step.name).ifExists();
    case 'dropColumn':
      return db.schema.alterTable(step.table).dropColumn(step.column);
    case 'dropTable':
      return db.schema.dropTable(step.table);
    case 'changeColumnType':
      throw new GalleyError('invalid', `${step.description}: not supported yet; the table rebuild comes with \`galley migrate\``);
  }
}

export interface ApplyStepsOptions {
  allowDataLoss?: boolean;
}

/** Executes the steps in order; a failing step names itself. Refuses lossy steps unless allowed. */
export async function applySteps(db: Kysely<any>, steps: readonly SchemaStep[], opts: ApplyStepsOptions = {}): Promise<string[]> {
  const lossy = steps.filter((s) => s.lossy);
  if (lossy.length > 0 && !opts.allowDataLoss) throw dataLossError(lossy);
  const ran: string[] = [];
  for (const [i, step] of steps.entries()) {
    const query = buildStep(db, step);
    const text = query.compile().sql;
    try {
      await query.execute();
    } catch (err) {
      throw new GalleyError('invalid', `schema step ${i + 1} (${step.description}) failed: ${(err as Error).message}`, { cause: err });
    }
    ran.push(text);
  }
  return ran;
}

export function dataLossError(lossy: readonly SchemaStep[]): GalleyError {
  return new GalleyError(
    'invalid',
    [
      'The schema change would lose data, so nothing was applied:',
      ...lossy.map((s) => `  - ${s.description}`),
      'Review it with `galley migrate plan`, then apply it with `galley migrate apply --allow-data-loss`.',
    ].join('\n'),
  );
}
