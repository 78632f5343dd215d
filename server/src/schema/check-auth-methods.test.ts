import { describe, expect, it } from 'vitest';
import { loadSchema } from './load.ts';

const problemsOf = (input: unknown): string[] => {
  try {
    loadSchema(input);
    return [];
  } catch (err) {
    return ((err as { problems?: Array<{ path: string; message: string }> }).problems ?? []).map((p) => `${p.path}: ${p.message}`);
  }
};

const members = (options: Record<string, unknown>) => [{ name: 'members', type: 'auth', ...options }];
/** `_superusers` as a PocketBase export carries it, with the given options. */
const superusers = (options: Record<string, unknown>) => [{ id: 'pbc_3142635823', name: '_superusers', type: 'auth', system: true, ...options }];
const provider = { name: 'google', clientId: 'a', clientSecret: 'b' };

describe('MFA needs two methods (wire: validation_mfa_not_enough_auths)', () => {
  it('names the methods that are on and how to fix it', () => {
    expect(problemsOf(members({ mfa: { enabled: true } }))).toEqual([
      'collections/0/mfa/enabled: MFA requires at least 2 auth methods to be enabled (only passwordAuth is): set oauth2.enabled or otp.enabled to true, or mfa.enabled to false',
    ]);
    expect(problemsOf(members({ mfa: { enabled: true }, passwordAuth: { enabled: false } }))).toEqual([
      'collections/0/mfa/enabled: MFA requires at least 2 auth methods to be enabled (none is): set passwordAuth.enabled or oauth2.enabled or otp.enabled to true, or mfa.enabled to false',
    ]);
  });

  it('any two of password, OTP and OAuth2 will do; MFA off asks nothing', () => {
    expect(problemsOf(members({ mfa: { enabled: true }, otp: { enabled: true } }))).toEqual([]);
    expect(problemsOf(members({ mfa: { enabled: true }, passwordAuth: { enabled: false }, otp: { enabled: true }, oauth2: { enabled: true, providers: [provider] } }))).toEqual([]);
    expect(problemsOf(members({ passwordAuth: { enabled: false } }))).toEqual([]);
  });
});

describe('_superusers (wire: PocketBase forces these on save)', () => {
  it('an export copy with PocketBase defaults loads; OTP together with MFA loads', () => {
    expect(problemsOf(superusers({}))).toEqual([]);
    expect(problemsOf(superusers({ otp: { enabled: true }, mfa: { enabled: true } }))).toEqual([]);
  });

  it('OTP without MFA is refused at mfa/enabled', () => {
    expect(problemsOf(superusers({ otp: { enabled: true } }))).toEqual([
      'collections/0/mfa/enabled: OTP on _superusers is only ever a second factor (PocketBase turns MFA on with it): set mfa.enabled to true, or otp.enabled to false',
    ]);
  });

  it('password sign-in cannot be turned off, OAuth2 cannot be turned on', () => {
    expect(problemsOf(superusers({ passwordAuth: { enabled: false } }))).toEqual([
      'collections/0/passwordAuth/enabled: superusers always sign in with a password (PocketBase forces it on): set it to true',
    ]);
    expect(problemsOf(superusers({ oauth2: { enabled: true, providers: [provider] } }))).toEqual([
      'collections/0/oauth2/enabled: OAuth2 is never on for _superusers (PocketBase turns it off, so no provider sign-in can make a superuser): set it to false',
    ]);
  });

  it('OAuth2 does not count as a second method for superusers', () => {
    expect(problemsOf(superusers({ mfa: { enabled: true }, oauth2: { enabled: true, providers: [provider] } }))).toEqual([
      'collections/0/oauth2/enabled: OAuth2 is never on for _superusers (PocketBase turns it off, so no provider sign-in can make a superuser): set it to false',
      'collections/0/mfa/enabled: MFA requires at least 2 auth methods to be enabled (only passwordAuth is): set otp.enabled to true, or mfa.enabled to false',
    ]);
  });
});
