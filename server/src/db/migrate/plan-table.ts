/**
 * The column steps of one collection that exists on both sides (its table already carries the desired
 * name). When every column keeps its SQL shape, or the engine can alter a column in place (PostgreSQL:
 * `dialect.alterColumn`), the changes are ALTER TABLE steps (drop, rename, add) plus in-place conversions;
 * when a column changes shape on SQLite, ONE rebuild does everything: create the new table, copy every row
 * converting values, drop the old table, rename the new one (its indexes are recreated by the index steps
 * that follow). Rows keep their ids, so relations pointing at them stay valid.
 */
import { GalleyError } from '../../errors.ts';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { isSameColumnSpec } from './conversions.ts';
import { matchByIdentity, sequenceRenames } from './match.ts';
import {
  buildMoveValueSql,
  describeMove,
  labelColumn,
  listTableColumns,
  pairColumns,
  type ColumnMove,
  type RelationTarget,
  splitMoveValueSql,
  type TableColumn,
} from './plan-columns.ts';
import type { SchemaDialect } from './schema-dialect.ts';
import type { DataCheck, MigrationStep } from './step.ts';

export interface TableChanges {
  steps: MigrationStep[];
  /** the table is rebuilt (its indexes must be created again) */
  rebuilt: boolean;
  /** any column was added, dropped, renamed or converted */
  columnsChanged: boolean;
  /** applied field → desired field, for the field option steps */
  fieldPairs: Array<{ had: FieldModel; want: FieldModel; move: ColumnMove }>;
}

const q = (s: string) => JSON.stringify(s);
const TEMP_COLUMN = '_galley_tmp_';

const makeStep = (s: Partial<MigrationStep> & Pick<MigrationStep, 'kind' | 'description'>): MigrationStep => ({
  details: [],
  sql: [],
  lossy: false,
  why: '',
  checks: [],
  ...s,
});

function dropWhy(col: TableColumn): string {
  return `deletes every value of ${q(col.name)}`;
}

/** Converted = its values change on the way (a conversion, or relation ids filtered). */
const isConverted = (m: ColumnMove): m is ColumnMove & { from: TableColumn } => m.from !== null && (m.conversion !== 'copy' || m.keepIdsIn !== null);

export function planTableChanges(
  had: CollectionModel,
  want: CollectionModel,
  findKeepIds: (from: TableColumn, to: TableColumn) => RelationTarget | null,
  dialect: SchemaDialect,
): TableChanges {
  const table = want.name;
  const hadCols = listTableColumns(had);
  const wantCols = listTableColumns(want);
  const { moves, dropped } = pairColumns(hadCols, wantCols, matchByIdentity(hadCols, wantCols), findKeepIds);
  const fieldPairs = moves.flatMap((m) => (m.from?.field && m.to.field ? [{ had: m.from.field, want: m.to.field, move: m }] : []));
  const renamed = moves.filter((m) => m.from !== null && m.from.name !== m.to.name);
  const added = moves.filter((m) => m.from === null);
  const reshaped = (m: ColumnMove) => m.from !== null && !isSameColumnSpec(m.from.spec, m.to.spec);
  const converted = moves.filter((m): m is ColumnMove & { from: TableColumn } => isConverted(m) || reshaped(m));
  const rebuilt = moves.some(reshaped) && dialect.alterColumn === null;
  const columnsChanged = dropped.length + renamed.length + added.length + converted.length > 0;
  const base = { steps: [] as MigrationStep[], rebuilt, columnsChanged, fieldPairs };
  if (!columnsChanged) return base;
  if (rebuilt) return { ...base, steps: [planRebuild(had, want, moves, dropped, dialect)] };

  const steps: MigrationStep[] = [];
  for (const col of dropped) {
    steps.push(makeStep({ kind: 'dropColumn', description: `drop column ${q(table)}.${q(col.name)} and its values`, sql: [dialect.dropColumn(table, col.name)], lossy: true, why: dropWhy(col) }));
  }
  const present = hadCols.filter((c) => !dropped.includes(c)).map((c) => c.name);
  for (const r of sequenceRenames(renamed.map((m) => ({ from: m.from!.name, to: m.to.name })), present, TEMP_COLUMN)) {
    steps.push(makeStep({ kind: 'renameColumn', description: `rename column ${q(table)}.${q(r.from)} to ${q(r.to)}`, sql: [dialect.renameColumn(table, r.from, r.to)] }));
  }
  for (const { to } of added) {
    if (to.spec.notNull && to.spec.defaultValue === null) {
      throw new GalleyError('invalid', `collection "${table}", field "${to.name}": a new column needs a default value`);
    }
    steps.push(makeStep({ kind: 'addColumn', description: `add column ${q(table)}.${q(to.name)} (${to.spec.type})`, sql: [dialect.addColumn(table, to)] }));
  }
  for (const m of converted) {
    const words = describeMove(m, table, m.to.name, had.name);
    const at = { ...m, from: { ...m.from, name: m.to.name } };
    const inPlace = !isSameColumnSpec(m.from.spec, m.to.spec);
    const statements = inPlace
      ? dialect.alterColumn!({ table, column: m.to.name, from: m.from.spec, to: m.to.spec, ...splitMoveValueSql(at, table, dialect) })
      : [dialect.updateColumn(table, m.to.name, buildMoveValueSql(at, table, dialect))];
    steps.push(makeStep({
      kind: 'convertColumn',
      description: inPlace ? `change column ${q(table)}.${q(m.to.name)} in place (${labelColumn(m.from)} to ${labelColumn(m.to)})` : `update the values of ${q(table)}.${q(m.to.name)}`,
      details: [words.detail],
      sql: statements,
      lossy: words.lossyWhy !== '',
      why: words.lossyWhy,
      checks: words.checks,
    }));
  }
  return { ...base, steps };
}

function planRebuild(had: CollectionModel, want: CollectionModel, moves: ColumnMove[], dropped: TableColumn[], dialect: SchemaDialect): MigrationStep {
  const table = want.name;
  const temp = `_galley_rebuild_${table}`;
  const details: string[] = [];
  const why: string[] = [];
  const checks: DataCheck[] = [];
  const values: Array<{ column: string; value: ReturnType<typeof buildMoveValueSql> }> = [];
  for (const m of moves) {
    if (m.from === null) {
      details.push(`${q(m.to.name)} is added (${labelColumn(m.to)})`);
      continue;
    }
    if (m.from.name !== m.to.name) details.push(`${q(m.from.name)} is renamed to ${q(m.to.name)}`);
    const from = m.from;
    if (isConverted(m) || !isSameColumnSpec(from.spec, m.to.spec)) {
      const words = describeMove({ ...m, from }, table, from.name, had.name);
      details.push(words.detail);
      if (words.lossyWhy) why.push(words.lossyWhy);
      checks.push(...words.checks);
    }
    if (m.conversion !== 'reset') values.push({ column: m.to.name, value: buildMoveValueSql({ ...m, from }, table, dialect) });
  }
  for (const col of dropped) {
    details.push(`${q(col.name)} is dropped with its values`);
    why.push(dropWhy(col));
  }
  return makeStep({
    kind: 'rebuildTable',
    description: `rebuild table ${q(table)} (copies every row into the new shape)`,
    details,
    sql: [
      dialect.createTable(temp, moves.map((m) => m.to)),
      dialect.copyRows(temp, table, values),
      dialect.dropTable(table),
      dialect.renameTable(temp, table),
    ],
    lossy: why.length > 0,
    why: why.join('; '),
    checks,
  });
}
