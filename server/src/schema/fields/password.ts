/**
 * `password`: a prepared value is the plain text just submitted; prepareForStorage hashes it before toStorage,
 * which only ever stores a hash. The wire never sees either.
 */
import { Type } from '@sinclair/typebox';
import { GalleyError, issue } from '../../errors.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import { castToString } from './coerce.ts';
import { runeLength } from './text.ts';
import {
  checkOrder,
  checkPatternOption,
  compilePattern,
  readNumber,
  readString,
  requiredIssue,
  valueDefaults,
  valueOptions,
} from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { stringColumn } from './string-value.ts';

/** wire: bcrypt's limit, kept for PocketBase compatibility. */
export const MAX_PASSWORD_LENGTH = 71;

/** A stored password: a PHC string (`$argon2id$…`) or a bcrypt hash (`$2a$…`). */
export function isPasswordHash(value: string): boolean {
  return /^\$[a-z0-9-]+\$/i.test(value) && value.length >= 20;
}

export const passwordField: FieldType = {
  name: 'password',
  options: Type.Object({
    ...valueOptions,
    min: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PASSWORD_LENGTH, description: 'Minimum length.' })),
    max: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PASSWORD_LENGTH, description: 'Maximum length (0 = 71).' })),
    pattern: Type.Optional(Type.String({ description: 'Regular expression the password must match.' })),
    cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 31, description: 'bcrypt cost in PocketBase; Galley hashes with argon2id and keeps it for compatibility.' })),
  }),
  defaults: { ...valueDefaults, min: 0, max: 0, pattern: '', cost: 0 },
  neverOnWire: true,

  checkOptions(field): OptionProblem[] {
    return [...checkOrder(field, 'min', 'max'), ...checkPatternOption(field, 'pattern')];
  },

  ...stringColumn,
  prepare: (raw) => castToString(raw),
  validate(value, field, ctx) {
    if (typeof value !== 'string') return issue('validation_unsupported_value_type', 'Invalid value type.');
    if (value === '') {
      // wire: required looks at the stored hash, so an update without a new password passes
      const stored = !ctx.isNew && typeof ctx.original === 'string' && ctx.original !== '';
      return field.required && !stored ? requiredIssue() : null;
    }
    const length = runeLength(value);
    const min = readNumber(field, 'min');
    if (length < min) return issue('validation_min_text_constraint', `Must be at least ${min} character(s).`, { min });
    const max = readNumber(field, 'max') || MAX_PASSWORD_LENGTH;
    if (length > max) return issue('validation_max_text_constraint', `Must be less than ${max} character(s).`, { max });
    const pattern = readString(field, 'pattern');
    if (pattern !== '' && !compilePattern(pattern)?.test(value)) return issue('validation_invalid_format', 'Invalid value format.');
    return null;
  },
  // Hashing happens here, outside the write transaction, so argon2id never holds up a group commit.
  prepareForStorage: async (value) => {
    const text = castToString(value);
    return text === '' || isPasswordHash(text) ? text : hashPassword(text);
  },
  toStorage(value) {
    const text = castToString(value);
    if (text !== '' && !isPasswordHash(text)) {
      throw new GalleyError('unavailable', 'Refusing to store a password that is not hashed.'); // a bug, never user input
    }
    return text;
  },
  fromStorage: () => '',
  filterKind: () => 'text',
};
