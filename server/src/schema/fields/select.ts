/** `select`: one or more values from a fixed list. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { castToUniqueStrings } from './coerce.ts';
import { readNumber, readStrings, makeStringListOption, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import {
  checkSelectionCount,
  isMultiValue,
  loadStrings,
  makeMaxSelectOption,
  modifySelection,
  describeMultiValueColumn,
  pickSelection,
  storeStrings,
  getZeroSelection,
} from './multi-value.ts';

export const selectField: FieldType = {
  name: 'select',
  options: Type.Object({
    ...valueOptions,
    values: makeStringListOption('The allowed values (at least one).'),
    maxSelect: makeMaxSelectOption('values'),
  }),
  defaults: { ...valueDefaults, values: [], maxSelect: 0 },

  checkOptions(field) {
    const problems: OptionProblem[] = [];
    const values = readStrings(field, 'values');
    if (values.length === 0) problems.push({ key: 'values', message: 'a select field needs at least one value' });
    if (new Set(values).size !== values.length) problems.push({ key: 'values', message: 'values must be unique' });
    const maxSelect = readNumber(field, 'maxSelect');
    if (values.length > 0 && maxSelect > values.length) {
      problems.push({ key: 'maxSelect', message: `must be at most the number of values (${values.length})` });
    }
    return problems;
  },

  column: describeMultiValueColumn,
  isMulti: isMultiValue,
  zero: getZeroSelection,
  prepare: (raw, field) => pickSelection(castToUniqueStrings(raw), field),
  modify: (current, op, arg, field) => modifySelection(current, op, arg, field, castToUniqueStrings),
  validate(value, field) {
    const items = castToUniqueStrings(value);
    const count = checkSelectionCount(items, field);
    if (count !== null) return count === 'empty' ? null : count;
    const allowed = readStrings(field, 'values');
    const bad = items.find((v) => !allowed.includes(v));
    return bad === undefined ? null : issue('validation_invalid_value', `Invalid value ${bad}.`, { value: bad });
  },
  toStorage: storeStrings,
  fromStorage: loadStrings,
  filterKind: (field) => (isMultiValue(field) ? 'multi' : 'text'),
};
