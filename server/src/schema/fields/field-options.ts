/**
 * Option keys shared by most field types, typed readers for a field's options, and the issues
 * every type raises the same way.
 */
import { Type } from '@sinclair/typebox';
import { issue, type FieldIssue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import type { OptionProblem } from './field-type.ts';

/** `required` and `help`: on every type but autodate (wire: PB's autodate has neither). */
export const valueOptions = {
  required: Type.Optional(Type.Boolean({ description: 'Reject blank values (see the type for what blank means).' })),
  help: Type.Optional(Type.String({ description: 'Help text shown in the dashboard.' })),
};

export const valueDefaults = { required: false, help: '' } as const;

/** A list of strings; wire: PocketBase writes an unset Go slice as null, so exports hold null too. */
export const makeStringListOption = (description: string) =>
  Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()], { description }));

/** `exceptDomains` / `onlyDomains` of email and url fields. */
export const domainOptions = {
  exceptDomains: makeStringListOption('Domains that are rejected.'),
  onlyDomains: makeStringListOption('The only domains accepted.'),
};

export function readNumber(field: FieldModel, key: string): number {
  const v = field[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function readNullableNumber(field: FieldModel, key: string): number | null {
  const v = field[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function readString(field: FieldModel, key: string): string {
  const v = field[key];
  return typeof v === 'string' ? v : '';
}

export function readBool(field: FieldModel, key: string): boolean {
  return field[key] === true;
}

export function readStrings(field: FieldModel, key: string): string[] {
  const v = field[key];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export function requiredIssue(): FieldIssue {
  return issue('validation_required', 'Cannot be blank.');
}

/** A `pattern` option as a JS RegExp; Go's leading `(?i)`-style flags become JS flags. Null if invalid. */
// process-wide on purpose: a pure cache keyed by the pattern's text (the same answer for any app)
const compiledPatterns = new Map<string, RegExp | null>();

/** Compiled once per pattern: validation runs on every write (the regexes carry no `g` state). */
export function compilePattern(pattern: string): RegExp | null {
  const hit = compiledPatterns.get(pattern);
  if (hit !== undefined) return hit;
  const compiled = compilePatternUncached(pattern);
  if (compiledPatterns.size < 1000) compiledPatterns.set(pattern, compiled);
  return compiled;
}

function compilePatternUncached(pattern: string): RegExp | null {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  const flags = m ? [...new Set(m[1]!.replace('U', ''))].join('') : '';
  const body = m ? pattern.slice(m[0].length) : pattern;
  for (const extra of ['u', '']) {
    try {
      return new RegExp(body, flags + extra);
    } catch {
      // retry without the unicode flag: it rejects some escapes RE2 accepts
    }
  }
  return null;
}

/** A problem when `key` holds a pattern JavaScript cannot compile. */
export function checkPatternOption(field: FieldModel, key: string): OptionProblem[] {
  const pattern = readString(field, key);
  if (pattern === '' || compilePattern(pattern)) return [];
  return [{ key, message: `${JSON.stringify(pattern)} is not a valid regular expression` }];
}

/** `min` ≤ `max` style checks share one message. */
export function checkOrder(field: FieldModel, lowKey: string, highKey: string): OptionProblem[] {
  const low = field[lowKey];
  const high = field[highKey];
  if (typeof low !== 'number' || typeof high !== 'number' || high === 0 || low <= high) return [];
  return [{ key: highKey, message: `must be greater than or equal to ${lowKey} (${low})` }];
}
