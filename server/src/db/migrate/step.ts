/**
 * What a migration plan is made of. A plan is plain data (JSON-safe): it is printed by `galley migrate plan`,
 * checked against the data, run in one transaction and stored in the history exactly as it ran.
 */
import type { ParsedIndex } from '../../schema/index-sql.ts';
import type { CollectionModel } from '../../schema/model.ts';

export type StepKind =
  | 'createTable'
  | 'dropTable'
  | 'renameTable'
  | 'addColumn'
  | 'dropColumn'
  | 'renameColumn'
  /** type or option changes SQLite cannot ALTER: new table, copy with conversion, drop old, rename */
  | 'rebuildTable'
  /** an UPDATE of one column in place (maxSelect shrunk, relation now pointing elsewhere) */
  | 'convertColumn'
  | 'createIndex'
  | 'dropIndex'
  /** rules and other collection options: recorded, no SQL */
  | 'updateCollection'
  /** field options that do not touch the column: recorded, no SQL */
  | 'updateField'
  /** the SQL view of a view collection (no data: dropping and creating loses nothing) */
  | 'createView'
  | 'dropView'
  /** drop and create again in one step: its query changed */
  | 'replaceView';

/** A table and column by the names they have in the database before the plan runs. */
export interface ColumnBefore {
  table: string;
  column: string;
}

/**
 * A question about the data that decides whether a step loses data (`lossy`) or cannot run at all (`refuse`).
 * `table`/`column` name them as they are when the step runs; `before` names them before the plan runs, or is
 * null when the answer depends on earlier steps (then it is only known while applying).
 */
export type DataCheck = { table: string; column: string; before: ColumnBefore | null } & (
  | { kind: 'listTooLong'; max: number }
  | { kind: 'notZeroOrOne' }
  | { kind: 'notNumber' }
  /** `multi`: the column holds lists; `targetBefore`: the target table's name before the plan (null: new) */
  | { kind: 'danglingIds'; target: string; targetBefore: string | null; multi: boolean }
  | { kind: 'duplicates'; index: ParsedIndex }
);

export interface MigrationStep {
  kind: StepKind;
  /** What the step does, in plain words, one line. */
  description: string;
  /** More lines of plain words (the column changes of a rebuild). */
  details: string[];
  /** The statements it runs, in order (none for recorded-only steps). */
  sql: string[];
  /** Loses data whatever the data is (drops, values that cannot convert). */
  lossy: boolean;
  /** Why it loses data ('' when it does not). */
  why: string;
  /** Questions about the data; their answers may make the step lossy or refuse it. */
  checks: DataCheck[];
}

export interface Plan {
  steps: MigrationStep[];
  /** The collections that become the applied schema (views included). */
  collections: CollectionModel[];
}

/** A step with the answers to its data checks. */
export interface CheckedStep extends MigrationStep {
  /** Why the data forbids the step ('' when it does not); a refused step is never applied, whatever the flags. */
  refused: string;
  /** True when a check could only be answered while applying (it depends on earlier steps). */
  checkedOnApply: boolean;
}

export interface CheckedPlan extends Plan {
  steps: CheckedStep[];
}
