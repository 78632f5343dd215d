/** `date`: a datetime string in the wire layout, optionally bounded. */
import { Type } from '@sinclair/typebox';
import { issue, type ValidationCode } from '../../errors.ts';
import { normalizeDateTime } from '../../lib/datetime.ts';
import type { FieldModel } from '../model.ts';
import { readString, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { stringColumn, validateStringWith } from './string-value.ts';

// wire: PB bounds dates with ozzo's generic threshold rules, so these are its codes
const MIN_CODE: ValidationCode = 'validation_min_greater_equal_than_required';
const MAX_CODE: ValidationCode = 'validation_max_less_equal_than_required';

const dateOption = (description: string) =>
  Type.Optional(Type.String({ description: `${description} ("YYYY-MM-DD HH:MM:SS.sssZ" or RFC 3339; "" = none).` }));

/** A datetime input that is not blank but does not parse. */
function checkDateOption(field: FieldModel, key: string): OptionProblem[] {
  const raw = readString(field, key);
  return raw !== '' && normalizeDateTime(raw) === '' ? [{ key, message: `${JSON.stringify(raw)} is not a datetime` }] : [];
}

export const dateField: FieldType = {
  name: 'date',
  options: Type.Object({ ...valueOptions, min: dateOption('Earliest accepted date'), max: dateOption('Latest accepted date') }),
  defaults: { ...valueDefaults, min: '', max: '' },

  checkOptions(field) {
    const problems = [...checkDateOption(field, 'min'), ...checkDateOption(field, 'max')];
    const min = normalizeDateTime(readString(field, 'min'));
    const max = normalizeDateTime(readString(field, 'max'));
    if (problems.length === 0 && min !== '' && max !== '' && max < min) {
      problems.push({ key: 'max', message: `must not be before min (${min})` });
    }
    return problems;
  },
  resolveOptions: (field) => ({ ...field, min: normalizeDateTime(field['min']), max: normalizeDateTime(field['max']) }),

  ...stringColumn,
  prepare: (raw) => normalizeDateTime(raw),
  validate: validateStringWith((value, field) => {
    const min = readString(field, 'min');
    if (min !== '' && value < min) return issue(MIN_CODE, `Must be no less than ${min}.`, { threshold: min });
    const max = readString(field, 'max');
    if (max !== '' && value > max) return issue(MAX_CODE, `Must be no greater than ${max}.`, { threshold: max });
    return null;
  }),
  toStorage: (value) => normalizeDateTime(value),
  fromStorage: (raw) => (typeof raw === 'string' ? raw : ''),
  filterKind: () => 'date',
};
