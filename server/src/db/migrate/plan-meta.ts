/**
 * Changes that touch no table: rules and other collection options, field options that keep the column,
 * the order of fields and the spelling of index statements. They run no SQL but are steps all the same, so
 * the plan is empty exactly when the applied schema equals the file.
 */
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { isSameColumnSpec } from './conversions.ts';
import type { ColumnMove } from './plan-columns.ts';
import { stringifyCanonical } from './history.ts';
import type { MigrationStep } from './step.ts';

const q = (s: string) => JSON.stringify(s);

function formatOptionValue(v: unknown): string {
  if (v === undefined) return 'unset';
  const text = stringifyCanonical(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** `key: old → new` for every key whose value differs (keys in `skip` left out). */
export function listChangedKeys(a: Record<string, unknown>, b: Record<string, unknown>, skip: readonly string[]): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skip.includes(k)).sort();
  return keys.filter((k) => stringifyCanonical(a[k]) !== stringifyCanonical(b[k])).map((k) => `${k}: ${formatOptionValue(a[k])} → ${formatOptionValue(b[k])}`);
}

const recordOnly = (kind: MigrationStep['kind'], description: string, details: string[]): MigrationStep => ({
  kind, description, details, sql: [], lossy: false, why: '', checks: [],
});

/** The collection's own options (not its name, fields or index SQL); order of fields; index spelling. */
export function planCollectionUpdate(had: CollectionModel, want: CollectionModel, fieldOrderChanged: boolean, indexTextOnly: boolean): MigrationStep | null {
  // a hand-written file derives collection ids from type and name, so a rename or new type explains a new id
  const derived = had.name !== want.name || had.type !== want.type ? ['id'] : [];
  const details = listChangedKeys(had as unknown as Record<string, unknown>, want as unknown as Record<string, unknown>, ['name', 'fields', 'indexes', 'renamedFrom', ...derived]);
  if (fieldOrderChanged) details.push('the order of the fields');
  if (indexTextOnly) details.push('the spelling or order of the index statements');
  if (details.length === 0) return null;
  const what = details.map((d) => d.split(':')[0]).join(', ');
  return recordOnly('updateCollection', `update ${q(want.name)}: ${what}`, details);
}

/**
 * Keys a column step already tells about: a conversion or new column shape explains a new type or maxSelect,
 * filtered relation ids a new collectionId, and a rename or new type a new id (a hand-written file derives
 * field ids from type and name).
 */
function coveredKeys(had: FieldModel, want: FieldModel, move: ColumnMove): string[] {
  const keys: string[] = [];
  if (had.name !== want.name || had.type !== want.type) keys.push('id');
  const reshaped = move.from !== null && !isSameColumnSpec(move.from.spec, move.to.spec);
  if (move.conversion !== 'copy' || reshaped || move.keepIdsIn) keys.push('type', 'maxSelect');
  if (move.keepIdsIn) keys.push('collectionId');
  return keys;
}

/** Keys every field type has; when the type changes, its own options simply follow the new type. */
const COMMON_KEYS = ['type', 'system', 'hidden', 'presentable', 'required', 'help'];

export function planFieldUpdate(table: string, had: FieldModel, want: FieldModel, move: ColumnMove): MigrationStep | null {
  const skip = ['name', 'renamedFrom', ...coveredKeys(had, want, move)];
  if (had.type !== want.type) skip.push(...Object.keys({ ...had, ...want }).filter((k) => !COMMON_KEYS.includes(k)));
  const details = listChangedKeys(had, want, skip);
  if (details.length === 0) return null;
  const what = details.map((d) => d.split(':')[0]).join(', ');
  return recordOnly('updateField', `update field ${q(table)}.${q(want.name)}: ${what}`, details);
}

/** True when the fields both sides share are listed in another order. */
export function hasFieldOrderChanged(pairs: ReadonlyArray<{ had: FieldModel; want: FieldModel }>, had: CollectionModel): boolean {
  const positions = pairs.map((p) => had.fields.indexOf(p.had));
  return positions.some((pos, i) => i > 0 && pos < positions[i - 1]!);
}
