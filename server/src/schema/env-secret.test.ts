import { describe, expect, it } from 'vitest';
import { loadSchema } from './load.ts';
import { resolveEnvSecret } from './env-secret.ts';

const problemsOf = (input: unknown): string[] => {
  try {
    loadSchema(input);
    return [];
  } catch (err) {
    return ((err as { problems?: Array<{ path: string; message: string }> }).problems ?? []).map((p) => `${p.path}: ${p.message}`);
  }
};

const users = (clientSecret: string, enabled = true) => [
  { name: 'users', type: 'auth', oauth2: { enabled, providers: [{ name: 'google', clientId: 'id', clientSecret }] } },
];

describe('clientSecret as "$env:NAME"', () => {
  it('an unset or empty variable is a problem at the secret’s path, naming the variable', () => {
    delete process.env['GALLEY_TEST_UNSET_SECRET'];
    expect(problemsOf(users('$env:GALLEY_TEST_UNSET_SECRET'))).toEqual([
      'collections/0/oauth2/providers/0/clientSecret: the environment variable GALLEY_TEST_UNSET_SECRET is not set (or is empty); set it, or give the value itself',
    ]);
    process.env['GALLEY_TEST_EMPTY_SECRET'] = '';
    expect(problemsOf(users('$env:GALLEY_TEST_EMPTY_SECRET'))).toHaveLength(1);
  });

  it('a reference that names no variable is a problem', () => {
    expect(problemsOf(users('$env:'))).toEqual([
      'collections/0/oauth2/providers/0/clientSecret: "$env:" is not an environment reference: write "$env:NAME" with NAME made of letters, digits and _',
    ]);
    expect(problemsOf(users('$env:MY-SECRET'))).toHaveLength(1);
  });

  it('a set variable loads; the model keeps the reference, never the value', () => {
    process.env['GALLEY_TEST_SET_SECRET'] = 'the-value';
    const schema = loadSchema(users('$env:GALLEY_TEST_SET_SECRET'));
    const stored = schema.findCollection('users')!.auth!.oauth2.providers[0]!['clientSecret'];
    expect(stored).toBe('$env:GALLEY_TEST_SET_SECRET');
    expect(resolveEnvSecret(String(stored))).toBe('the-value');
  });

  it('with OAuth2 off nothing is asked of the variable (as with every provider check); plain values stay plain', () => {
    delete process.env['GALLEY_TEST_UNSET_SECRET'];
    expect(problemsOf(users('$env:GALLEY_TEST_UNSET_SECRET', false))).toEqual([]);
    expect(resolveEnvSecret('plain $env:X')).toBe('plain $env:X');
    expect(resolveEnvSecret('$env:X', { X: 'from-env' })).toBe('from-env');
  });
});
