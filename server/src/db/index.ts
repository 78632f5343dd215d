/** What other domains import from db/. */
export type { Database, Writer, WriteTx } from './database.ts';
export { openDatabase, type OpenedDatabase, type OpenOptions } from './open.ts';
export type { GroupWriter, WriterStats } from './writer.ts';
export { mapSqliteError, RETRY_AFTER_SECONDS } from './sqlite-errors.ts';
export { ensureParam, getParam, setParam } from './params.ts';
export { applySchemaOnStart, readAppliedCollections, type ApplySchemaOptions, type ApplySchemaResult } from './migrate/apply-on-start.ts';
export { planSchemaChanges, type SchemaStep } from './migrate/plan.ts';
export { applySteps, dataLossError } from './migrate/apply-steps.ts';
export { listMigrations, type MigrationRecord } from './migrate/history.ts';
