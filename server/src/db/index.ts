/** What other domains import from db/. */
export type { Database, Writer, WriteTx } from './database.ts';
export { openDatabase, type OpenedDatabase, type OpenOptions } from './open.ts';
export type { GroupWriter, WriterStats } from './writer.ts';
export { mapSqliteError, RETRY_AFTER_SECONDS } from './sqlite-errors.ts';
export { ensureParam, getParam, setParam } from './params.ts';
export { applySchemaOnStart, readAppliedCollections, type ApplySchemaOptions, type ApplySchemaResult } from './migrate/apply-on-start.ts';
export { migrateDatabase, type MigrateOptions, type MigrateResult } from './migrate/migrate-database.ts';
export { planMigration } from './migrate/plan.ts';
export type { CheckedPlan, CheckedStep, MigrationStep, Plan } from './migrate/step.ts';
export { listMigrations, type MigrationRecord } from './migrate/history.ts';
