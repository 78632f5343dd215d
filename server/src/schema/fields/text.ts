/** `text`: plain strings; also the `id` primary key of every collection. */
import { Type } from '@sinclair/typebox';
import { issue, type FieldIssue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { generateFromPattern } from './autogenerate.ts';
import {
  checkOrder,
  checkPatternOption,
  compilePattern,
  readBool,
  readNumber,
  readString,
  requiredIssue,
  valueDefaults,
  valueOptions,
} from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { plainStringValue } from './string-value.ts';

/** wire: max 0 means 5000 runes. */
export const DEFAULT_TEXT_MAX = 5000;
/** wire: the record id pattern; a primary key with another pattern gets the extra character checks. */
export const RECORD_ID_PATTERN = '^[a-z0-9]+$';
const FORBIDDEN_PK_CHARS = ['.', '/', '\\', '|', '"', "'", '`', '<', '>', ':', '?', '*', '%', '$', '\0', '\t', '\n', '\r', ' '];
const RESERVED_PKS = ['CON', 'PRN', 'AUX', 'NUL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`])];

export const textField: FieldType = {
  name: 'text',
  options: Type.Object({
    ...valueOptions,
    min: Type.Optional(Type.Integer({ minimum: 0, description: 'Minimum length in characters (0 = none).' })),
    max: Type.Optional(Type.Integer({ minimum: 0, description: 'Maximum length in characters (0 = 5000).' })),
    pattern: Type.Optional(Type.String({ description: 'Regular expression the value must match.' })),
    autogeneratePattern: Type.Optional(
      Type.String({ description: 'Regular expression used to generate a value when none is given on create.' }),
    ),
    primaryKey: Type.Optional(Type.Boolean({ description: 'Only the "id" field is the primary key.' })),
  }),
  defaults: { ...valueDefaults, min: 0, max: 0, pattern: '', autogeneratePattern: '', primaryKey: false },

  checkOptions(field) {
    const problems: OptionProblem[] = [...checkOrder(field, 'min', 'max')];
    problems.push(...checkPatternOption(field, 'pattern'), ...checkPatternOption(field, 'autogeneratePattern'));
    if (readBool(field, 'primaryKey') && field.name !== 'id') {
      problems.push({ key: 'primaryKey', message: 'only the field named "id" can be the primary key' });
    }
    const auto = readString(field, 'autogeneratePattern');
    if (auto !== '' && problems.length === 0) {
      try {
        const sample = generateFromPattern(auto);
        if (checkText(sample, field)) {
          problems.push({ key: 'autogeneratePattern', message: `can produce invalid values, e.g. ${JSON.stringify(sample)}` });
        }
      } catch (err) {
        problems.push({ key: 'autogeneratePattern', message: `cannot generate values: ${(err as Error).message}` });
      }
    }
    return problems;
  },

  ...plainStringValue,
  column: (field) =>
    readBool(field, 'primaryKey')
      ? { type: 'text', notNull: true, defaultValue: '', primaryKey: true }
      : { type: 'text', notNull: true, defaultValue: '' },
  autofill(value, field, ctx) {
    const pattern = readString(field, 'autogeneratePattern');
    if (!ctx.isNew || pattern === '' || (typeof value === 'string' && value !== '')) return value;
    return generateFromPattern(pattern);
  },
  validate(value, field, ctx) {
    if (typeof value !== 'string') return issue('validation_unsupported_value_type', 'Invalid value type.');
    if (readBool(field, 'primaryKey') && !ctx.isNew && typeof ctx.original === 'string' && ctx.original !== '' && ctx.original !== value) {
      return issue('validation_pk_change', 'The record primary key cannot be changed.');
    }
    return checkText(value, field);
  },
};

/** Length in code points (wire: Go counts runes); only strings with surrogate pairs need the slow count. */
export function runeLength(value: string): number {
  return /[\uD800-\uDFFF]/.test(value) ? [...value].length : value.length;
}

/** PocketBase's ValidatePlainValue: required, length in runes, pattern, primary-key characters. */
function checkText(value: string, field: FieldModel): FieldIssue | null {
  const primaryKey = readBool(field, 'primaryKey');
  if (value === '') return field.required || primaryKey ? requiredIssue() : null;
  const length = runeLength(value);
  const min = readNumber(field, 'min');
  if (min > 0 && length < min) return issue('validation_min_text_constraint', `Must be at least ${min} character(s).`, { min });
  const max = readNumber(field, 'max') || DEFAULT_TEXT_MAX;
  if (length > max) return issue('validation_max_text_constraint', `Must be no more than ${max} character(s).`, { max });
  const pattern = readString(field, 'pattern');
  if (pattern !== '' && !compilePattern(pattern)?.test(value)) return issue('validation_invalid_format', 'Invalid value format.');
  if (primaryKey && pattern !== RECORD_ID_PATTERN) {
    const ch = FORBIDDEN_PK_CHARS.find((c) => value.includes(c));
    if (ch !== undefined) return issue('validation_forbidden_pk_character', `'${ch}' is not a valid primary key character.`, { ch });
    const reserved = length <= 4 ? RESERVED_PKS.find((r) => r === value.toUpperCase()) : undefined;
    if (reserved) return issue('validation_reserved_pk', `The primary key '${reserved}' is reserved and cannot be used.`, { reserved });
  }
  return null;
}
