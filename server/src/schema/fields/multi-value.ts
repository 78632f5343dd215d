/**
 * What select, relation and file fields share: maxSelect ≤ 1 stores one string (the LAST item given),
 * maxSelect > 1 stores a JSON array; `+field` / `field+` / `field-` prepend, append and remove.
 */
import { Type } from '@sinclair/typebox';
import { issue, type FieldIssue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { castToUniqueStrings } from './coerce.ts';
import { readNumber, requiredIssue } from './field-options.ts';
import type { ColumnSpec, ModifierOp } from './field-type.ts';

export const makeMaxSelectOption = (what: string) =>
  Type.Optional(Type.Integer({ minimum: 0, description: `How many ${what} a record may hold (0 or 1 = a single value, >1 = an array).` }));

export function isMultiValue(field: FieldModel): boolean {
  return readNumber(field, 'maxSelect') > 1;
}

/** wire: single-value fields keep the last item; multi-value fields keep them all. */
export function pickSelection<T>(items: T[], field: FieldModel): T | T[] | '' {
  if (isMultiValue(field)) return items;
  return items.length > 0 ? items[items.length - 1]! : '';
}

export function describeMultiValueColumn(field: FieldModel): ColumnSpec {
  return isMultiValue(field)
    ? { type: 'json', notNull: true, defaultValue: '[]' }
    : { type: 'text', notNull: true, defaultValue: '' };
}

export function getZeroSelection(field: FieldModel): '' | never[] {
  return isMultiValue(field) ? [] : '';
}

/** Apply a list modifier; `toList` coerces both sides the way the type's prepare does. */
export function modifySelection<T>(
  current: unknown,
  op: ModifierOp,
  arg: unknown,
  field: FieldModel,
  toList: (raw: unknown) => T[],
  keyOf: (item: T) => unknown = (item) => item,
): unknown {
  const now = toList(current);
  const given = toList(arg);
  let next = now;
  if (op === 'append') next = [...now, ...given];
  else if (op === 'prepend') next = [...given, ...now];
  else if (op === 'remove') {
    const gone = new Set(given.map(keyOf));
    next = now.filter((item) => !gone.has(keyOf(item)));
  }
  const seen = new Set<unknown>();
  const unique = next.filter((item) => !seen.has(keyOf(item)) && seen.add(keyOf(item)));
  return pickSelection(unique, field);
}

/** Required and count checks shared by select and relation; null when the list passes them. */
export function checkSelectionCount(ids: string[], field: FieldModel): FieldIssue | null | 'empty' {
  if (ids.length === 0) return field.required ? requiredIssue() : 'empty';
  const minSelect = readNumber(field, 'minSelect');
  if (minSelect > 0 && ids.length < minSelect) {
    return issue('validation_not_enough_values', `Select at least ${minSelect}.`, { minSelect });
  }
  const maxSelect = Math.max(readNumber(field, 'maxSelect'), 1);
  if (ids.length > maxSelect) return issue('validation_too_many_values', `Select no more than ${maxSelect}.`, { maxSelect });
  return null;
}

/** Stored value: the string itself, or the JSON array text. */
export function storeStrings(value: unknown, field: FieldModel): string {
  const items = castToUniqueStrings(value);
  if (isMultiValue(field)) return JSON.stringify(items);
  return items.length > 0 ? items[items.length - 1]! : '';
}

/** Column value → wire value: always a string (single) or a string array (multi), whatever was stored. */
export function loadStrings(raw: unknown, field: FieldModel): string | string[] {
  let items: string[];
  if (typeof raw === 'string' && raw.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      items = Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string' && v !== '') : [raw];
    } catch {
      items = [raw];
    }
  } else items = castToUniqueStrings(raw);
  return pickSelection(items, field) as string | string[];
}
