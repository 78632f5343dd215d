/**
 * The column steps of one collection that exists on both sides (its table already carries the desired
 * name). When every column keeps its SQL shape the changes are ALTER TABLE steps (drop, rename, add) plus
 * in-place UPDATEs; when any column changes shape, ONE rebuild does everything: create the new table, copy
 * every row converting values, drop the old table, rename the new one (its indexes are recreated by the
 * index steps that follow). Rows keep their ids, so relations pointing at them stay valid.
 */
import { GalleyError } from '../../errors.ts';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { isSameColumnSpec } from './conversions.ts';
import {
  buildAddColumnSql,
  buildCopyRowsSql,
  buildCreateTableSql,
  buildDropColumnSql,
  buildDropTableSql,
  buildRenameColumnSql,
  buildRenameTableSql,
  buildUpdateColumnSql,
} from './ddl.ts';
import { matchByIdentity, sequenceRenames } from './match.ts';
import {
  buildMoveValueSql,
  describeMove,
  labelColumn,
  listTableColumns,
  pairColumns,
  type ColumnMove,
  type RelationTarget,
  type TableColumn,
} from './plan-columns.ts';
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
): TableChanges {
  const table = want.name;
  const hadCols = listTableColumns(had);
  const wantCols = listTableColumns(want);
  const { moves, dropped } = pairColumns(hadCols, wantCols, matchByIdentity(hadCols, wantCols), findKeepIds);
  const fieldPairs = moves.flatMap((m) => (m.from?.field && m.to.field ? [{ had: m.from.field, want: m.to.field, move: m }] : []));
  const renamed = moves.filter((m) => m.from !== null && m.from.name !== m.to.name);
  const added = moves.filter((m) => m.from === null);
  const converted = moves.filter(isConverted);
  const rebuilt = moves.some((m) => m.from !== null && !isSameColumnSpec(m.from.spec, m.to.spec));
  const columnsChanged = dropped.length + renamed.length + added.length + converted.length > 0;
  const base = { steps: [] as MigrationStep[], rebuilt, columnsChanged, fieldPairs };
  if (!columnsChanged) return base;
  if (rebuilt) return { ...base, steps: [planRebuild(had, want, moves, dropped)] };

  const steps: MigrationStep[] = [];
  for (const col of dropped) {
    steps.push(makeStep({ kind: 'dropColumn', description: `drop column ${q(table)}.${q(col.name)} and its values`, sql: [buildDropColumnSql(table, col.name)], lossy: true, why: dropWhy(col) }));
  }
  const present = hadCols.filter((c) => !dropped.includes(c)).map((c) => c.name);
  for (const r of sequenceRenames(renamed.map((m) => ({ from: m.from!.name, to: m.to.name })), present, TEMP_COLUMN)) {
    steps.push(makeStep({ kind: 'renameColumn', description: `rename column ${q(table)}.${q(r.from)} to ${q(r.to)}`, sql: [buildRenameColumnSql(table, r.from, r.to)] }));
  }
  for (const { to } of added) {
    if (to.spec.notNull && to.spec.defaultValue === null) {
      throw new GalleyError('invalid', `collection "${table}", field "${to.name}": a new column needs a default value`);
    }
    steps.push(makeStep({ kind: 'addColumn', description: `add column ${q(table)}.${q(to.name)} (${to.spec.type})`, sql: [buildAddColumnSql(table, to)] }));
  }
  for (const m of converted) {
    const words = describeMove(m, table, m.to.name, had.name);
    const value = buildMoveValueSql({ ...m, from: { ...m.from, name: m.to.name } }, table);
    steps.push(makeStep({
      kind: 'convertColumn',
      description: `update the values of ${q(table)}.${q(m.to.name)}`,
      details: [words.detail],
      sql: [buildUpdateColumnSql(table, m.to.name, value)],
      lossy: words.lossyWhy !== '',
      why: words.lossyWhy,
      checks: words.checks,
    }));
  }
  return { ...base, steps };
}

function planRebuild(had: CollectionModel, want: CollectionModel, moves: ColumnMove[], dropped: TableColumn[]): MigrationStep {
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
    if (m.conversion !== 'reset') values.push({ column: m.to.name, value: buildMoveValueSql({ ...m, from }, table) });
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
      buildCreateTableSql(temp, moves.map((m) => m.to)),
      buildCopyRowsSql(temp, table, values),
      buildDropTableSql(table),
      buildRenameTableSql(temp, table),
    ],
    lossy: why.length > 0,
    why: why.join('; '),
    checks,
  });
}
