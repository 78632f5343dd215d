/** `url`: a web address, optionally limited to or excluding some hosts. */
import { Type } from '@sinclair/typebox';
import { issue } from '../../errors.ts';
import { checkDomainOptions, isDomainAllowed } from './email.ts';
import { domainOptions, valueDefaults, valueOptions } from './field-options.ts';
import type { FieldType } from './field-type.ts';
import { plainStringValue, validateStringWith } from './string-value.ts';

// wire: govalidator's IsURL accepts these schemes, or none
const SCHEME = /^(?:(?:ftp|tcp|udp|wss?|https?):\/\/)?/i;
const HOST_LABEL = /^[a-zA-Z0-9\u00a1-\uffff_](?:[a-zA-Z0-9\u00a1-\uffff_-]{0,62})$/;

/** An approximation of govalidator.IsURL: optional known scheme, a host name or IP, optional port/path. */
export function isWebUrl(value: string): boolean {
  if (value.length > 2083 || /\s/.test(value) || value.startsWith('.')) return false;
  const rest = value.replace(SCHEME, '');
  if (rest.includes('://')) return false;
  const authority = rest.split(/[/?#]/, 1)[0]!.replace(/^[^@]*@/, '');
  const port = /:\d{1,5}$/.exec(authority);
  const host = port ? authority.slice(0, port.index) : authority;
  if (host.startsWith('[')) return /^\[[0-9a-fA-F:.]+\]$/.test(host);
  if (host === '' || host.includes(':')) return false;
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every((l) => HOST_LABEL.test(l) && !l.endsWith('-'));
}

/** wire: the host as Go's url.Parse gives it ("" without a scheme, port included). */
function hostOf(value: string): string {
  const i = value.indexOf('://');
  if (i < 0) return '';
  return value.slice(i + 3).split(/[/?#]/, 1)[0]!.replace(/^[^@]*@/, '');
}

export const urlField: FieldType = {
  name: 'url',
  options: Type.Object({ ...valueOptions, ...domainOptions }),
  defaults: { ...valueDefaults, exceptDomains: [], onlyDomains: [] },
  checkOptions: checkDomainOptions,

  ...plainStringValue,
  validate: validateStringWith((value, field) => {
    if (!isWebUrl(value)) return issue('validation_invalid_url', 'Must be a valid url.');
    if (!isDomainAllowed(hostOf(value), field)) return issue('validation_url_domain_not_allowed', 'Url domain is not allowed.');
    return null;
  }),
};
