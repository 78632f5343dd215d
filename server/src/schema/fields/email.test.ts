import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import { emailField } from './email.ts';
import type { ValidateContext } from './field-type.ts';
import { urlField } from './url.ts';

const make = (type: 'email' | 'url', o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'e1', name: 'x', type, system: false, hidden: false, presentable: false, ...emailField.defaults, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const opts = { hasCollection: () => false, findCollection: () => undefined, owner: { name: 'c', type: 'base' as const } };

describe('email', () => {
  it.each([
    ['', {}, null],
    ['', { required: true }, 'validation_required'],
    ['a@b.co', {}, null],
    ["o'neil+tag@mail.example.com", {}, null],
    ['not-an-email', {}, 'validation_is_email'],
    ['a@b', {}, null],
    ['a@-b.com', {}, 'validation_is_email'],
    ['a@x.com', { onlyDomains: ['y.com'] }, 'validation_email_domain_not_allowed'],
    ['a@y.com', { onlyDomains: ['y.com'] }, null],
    ['a@x.com', { exceptDomains: ['x.com'] }, 'validation_email_domain_not_allowed'],
  ])('%j %j', (v, o, code) => {
    const got = emailField.validate(v, make('email', o), ctx) as { code: string } | null;
    expect(got?.code ?? null).toBe(code);
  });
  it('storage', () => {
    expect(emailField.column(make('email'))).toEqual({ type: 'text', notNull: true, defaultValue: '' });
    expect(emailField.prepare(5, make('email'))).toBe('5');
    expect(emailField.fromStorage(null, make('email'))).toBe('');
  });
  it('options', () => {
    expect(emailField.checkOptions!(make('email', { onlyDomains: ['a.com'], exceptDomains: ['b.com'] }), opts).map((p) => p.key)).toEqual(['exceptDomains']);
    expect(emailField.checkOptions!(make('email', { onlyDomains: ['not a domain'] }), opts).map((p) => p.key)).toEqual(['onlyDomains']);
  });
});

describe('url', () => {
  it.each([
    ['', {}, null],
    ['', { required: true }, 'validation_required'],
    ['https://example.com/a?b=1#c', {}, null],
    ['example.com', {}, null],
    ['http://localhost:8090', {}, null],
    ['http://[::1]:80/x', {}, null],
    ['javascript:alert(1)', {}, 'validation_invalid_url'],
    ['http://exa mple.com', {}, 'validation_invalid_url'],
    ['gopher://x.com', {}, 'validation_invalid_url'],
    ['https://x.com/a', { onlyDomains: ['y.com'] }, 'validation_url_domain_not_allowed'],
    ['https://y.com/a', { onlyDomains: ['y.com'] }, null],
    ['https://x.com', { exceptDomains: ['x.com'] }, 'validation_url_domain_not_allowed'],
  ])('%j %j', (v, o, code) => {
    const got = urlField.validate(v, make('url', o), ctx) as { code: string } | null;
    expect(got?.code ?? null).toBe(code);
  });
});
