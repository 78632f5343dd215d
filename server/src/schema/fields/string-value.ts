/** What the one-string field types share: a TEXT column that holds '' when unset, and how a string is validated. */
import { issue, type FieldIssue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { castToString } from './coerce.ts';
import { requiredIssue } from './field-options.ts';
import type { FieldType } from './field-type.ts';

/** One string in a NOT NULL TEXT column, '' when unset (text, email, url, editor, date, password). */
export const stringColumn = {
  column: () => ({ type: 'text', notNull: true, defaultValue: '' }),
  isMulti: () => false,
  zero: () => '',
} satisfies Pick<FieldType, 'column' | 'isMulti' | 'zero'>;

/** …and kept as any value's text, read back as text, filtered as text (text, email, url, editor). */
export const plainStringValue = {
  ...stringColumn,
  prepare: (raw: unknown) => castToString(raw),
  toStorage: (value: unknown) => castToString(value),
  fromStorage: (raw: unknown) => (raw === null || raw === undefined ? '' : String(raw)),
  filterKind: () => 'text',
} satisfies Pick<FieldType, 'column' | 'isMulti' | 'zero' | 'prepare' | 'toStorage' | 'fromStorage' | 'filterKind'>;

/** validate() of a string field: a non-string is refused, '' is only checked against `required`, else `check`. */
export function validateStringWith(check: (value: string, field: FieldModel) => FieldIssue | null): FieldType['validate'] {
  return (value, field) => {
    if (typeof value !== 'string') return issue('validation_unsupported_value_type', 'Invalid value type.');
    if (value === '') return field.required ? requiredIssue() : null;
    return check(value, field);
  };
}
