/** `email`: an address, optionally limited to or excluding some domains. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import type { FieldModel } from '../model.ts';
import { domainOptions, readStrings, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType, OptionProblem } from './field-type.ts';
import { plainStringValue, validateStringWith } from './string-value.ts';

// wire: the HTML5 address grammar ozzo's is.EmailFormat uses, max 254 characters
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]{0,62}$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** Shared by email and url: at most one of the two lists, each entry a domain name. */
export function checkDomainOptions(field: FieldModel): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const only = readStrings(field, 'onlyDomains');
  const except = readStrings(field, 'exceptDomains');
  if (only.length > 0 && except.length > 0) {
    problems.push({ key: 'exceptDomains', message: 'cannot be set together with onlyDomains' });
  }
  for (const key of ['onlyDomains', 'exceptDomains']) {
    const bad = readStrings(field, key).find((d) => !DOMAIN.test(d));
    if (bad !== undefined) problems.push({ key, message: `${JSON.stringify(bad)} is not a domain name` });
  }
  return problems;
}

/** True when the domain passes the field's onlyDomains/exceptDomains lists. */
export function isDomainAllowed(domain: string, field: FieldModel): boolean {
  const only = readStrings(field, 'onlyDomains');
  if (only.length > 0 && !only.includes(domain)) return false;
  return !readStrings(field, 'exceptDomains').includes(domain);
}

export const emailField: FieldType = {
  name: 'email',
  options: Type.Object({ ...valueOptions, ...domainOptions }),
  defaults: { ...valueDefaults, exceptDomains: [], onlyDomains: [] },
  checkOptions: checkDomainOptions,

  ...plainStringValue,
  validate: validateStringWith((value, field) => {
    if (!isEmailAddress(value)) return issue('validation_is_email', 'Must be a valid email address.');
    if (!isDomainAllowed(value.slice(value.lastIndexOf('@') + 1), field)) {
      return issue('validation_email_domain_not_allowed', 'Email domain is not allowed.');
    }
    return null;
  }),
};
