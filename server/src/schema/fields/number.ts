/** `number`: float64 values; `field+` / `field-` add and subtract. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { castToNumber } from './coerce.ts';
import { readBool, readNullableNumber, requiredIssue, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';

const nullableNumber = (description: string) => Type.Optional(Type.Union([Type.Number(), Type.Null()], { description }));

export const numberField: FieldType = {
  name: 'number',
  options: Type.Object({
    ...valueOptions,
    min: nullableNumber('Smallest accepted value (null = none).'),
    max: nullableNumber('Largest accepted value (null = none).'),
    onlyInt: Type.Optional(Type.Boolean({ description: 'Reject decimal numbers.' })),
  }),
  defaults: { ...valueDefaults, min: null, max: null, onlyInt: false },

  checkOptions(field) {
    const problems: OptionProblem[] = [];
    const min = readNullableNumber(field, 'min');
    const max = readNullableNumber(field, 'max');
    if (readBool(field, 'onlyInt')) {
      if (min !== null && !Number.isInteger(min)) problems.push({ key: 'min', message: 'must be an integer when onlyInt is set' });
      if (max !== null && !Number.isInteger(max)) problems.push({ key: 'max', message: 'must be an integer when onlyInt is set' });
    }
    if (min !== null && max !== null && max < min) {
      problems.push({ key: 'max', message: `must be greater than or equal to min (${min})` });
    }
    return problems;
  },

  column: () => ({ type: 'numeric', notNull: true, defaultValue: 0 }),
  isMulti: () => false,
  zero: () => 0,
  prepare: (raw) => castToNumber(raw),
  modify(current, op, arg) {
    const base = castToNumber(current);
    if (op === 'add') return base + castToNumber(arg);
    if (op === 'subtract') return base - castToNumber(arg);
    return base;
  },
  validate(value, field) {
    if (typeof value !== 'number') return issue('validation_unsupported_value_type', 'Invalid value type.');
    if (!Number.isFinite(value)) return issue('validation_not_a_number', 'The submitted number is not properly formatted.');
    if (value === 0) return field.required ? requiredIssue() : null; // wire: 0 is blank and skips min/max
    if (readBool(field, 'onlyInt') && !Number.isInteger(value)) {
      return issue('validation_only_int_constraint', 'Decimal numbers are not allowed.');
    }
    const min = readNullableNumber(field, 'min');
    if (min !== null && value < min) return issue('validation_min_number_constraint', `Must be greater or equal than ${min}.`, { min });
    const max = readNullableNumber(field, 'max');
    if (max !== null && value > max) return issue('validation_max_number_constraint', `Must be less or equal than ${max}.`, { max });
    return null;
  },
  toStorage: (value) => castToNumber(value),
  fromStorage(raw) {
    const n = typeof raw === 'number' ? raw : Number(raw ?? 0);
    return Number.isFinite(n) ? n : 0;
  },
  filterKind: () => 'number',
};
