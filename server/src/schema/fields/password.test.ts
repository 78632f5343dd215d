import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model.ts';
import type { ValidateContext } from './field-type.ts';
import { passwordField } from './password.ts';

const field = (o: Record<string, unknown> = {}): FieldModel =>
  ({ id: 'p', name: 'password', type: 'password', system: true, hidden: true, presentable: false, ...passwordField.defaults, required: true, min: 8, ...o }) as FieldModel;
const ctx: ValidateContext = { isSuperuser: false, isNew: true, existingIds: async () => new Set() };
const codeOf = (v: unknown, f = field(), c = ctx) => (passwordField.validate(v, f, c) as { code: string } | null)?.code ?? null;

describe('password', () => {
  it.each([
    ['blank on create', '', field(), ctx, 'validation_required'],
    ['blank on update keeps the stored hash', '', field(), { ...ctx, isNew: false, original: '$argon2id$v=19$m=65536,t=2,p=1$abc$def' }, null],
    ['too short', 'short', field(), ctx, 'validation_min_text_constraint'],
    ['default max 71', 'a'.repeat(72), field(), ctx, 'validation_max_text_constraint'],
    ['71 is fine', 'a'.repeat(71), field(), ctx, null],
    ['pattern', 'abcdefgh', field({ pattern: '\\d' }), ctx, 'validation_invalid_format'],
    ['ok', 'correct horse', field(), ctx, null],
  ])('%s', (_n, v, f, c, code) => expect(codeOf(v, f, c)).toBe(code));

  it('never on the wire, never stored in plain text', () => {
    expect(passwordField.neverOnWire).toBe(true);
    expect(passwordField.fromStorage('$argon2id$v=19$m=65536,t=2,p=1$abc$def', field())).toBe('');
    expect(() => passwordField.toStorage('plain text password', field())).toThrow(/not hashed/);
    expect(passwordField.toStorage('$argon2id$v=19$m=65536,t=2,p=1$abc$def', field())).toMatch(/^\$argon2id\$/);
    expect(passwordField.toStorage('$2a$10$abcdefghijklmnopqrstuv', field())).toMatch(/^\$2a\$/);
    expect(passwordField.column(field())).toEqual({ type: 'text', notNull: true, defaultValue: '' });
  });
});
