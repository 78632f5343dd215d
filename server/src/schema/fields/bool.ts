/** `bool`: stored 0/1; `required` means "must be true". */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { castToBool } from './coerce.ts';
import { requiredIssue, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType } from './field-type.ts';

export const boolField: FieldType = {
  name: 'bool',
  options: Type.Object({ ...valueOptions }),
  defaults: { ...valueDefaults },

  column: () => ({ type: 'boolean', notNull: true, defaultValue: false }),
  isMulti: () => false,
  zero: () => false,
  prepare: (raw) => castToBool(raw),
  validate(value, field) {
    if (typeof value !== 'boolean') return issue('validation_unsupported_value_type', 'Invalid value type.');
    return field.required && !value ? requiredIssue() : null;
  },
  toStorage: (value) => (castToBool(value) ? 1 : 0),
  fromStorage: (raw) => raw === 1 || raw === true || raw === '1' || raw === 1n || raw === 'true',
  filterKind: () => 'bool',
};
