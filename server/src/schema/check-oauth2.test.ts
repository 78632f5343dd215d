import { describe, expect, it } from 'vitest';
import { loadSchema } from './load.ts';

const users = (oauth2: Record<string, unknown>, fields: unknown[] = []) => [{ name: 'users', type: 'auth', fields, oauth2 }];
const problemsOf = (input: unknown): string[] => {
  try {
    loadSchema(input);
    return [];
  } catch (err) {
    return ((err as { problems?: Array<{ path: string; message: string }> }).problems ?? []).map((p) => `${p.path}: ${p.message}`);
  }
};

describe('oauth2 options in a schema file', () => {
  it('accepts known providers with their ids, explicit URLs or an issuer', () => {
    expect(problemsOf(users({
      enabled: true,
      providers: [
        { name: 'google', clientId: 'a', clientSecret: 'b' },
        { name: 'oidc', clientId: 'a', clientSecret: 'b', authURL: 'https://id.example/auth', tokenURL: 'https://id.example/token' },
        { name: 'oidc2', clientId: 'a', clientSecret: 'b', extra: { issuer: 'https://id.example' } },
      ],
    }))).toEqual([]);
  });

  it('names each problem with its path', () => {
    expect(problemsOf(users({
      enabled: true,
      mappedFields: { name: 'fullName' },
      providers: [
        { name: 'myspace', clientId: 'a', clientSecret: 'b' },
        { name: 'github', clientId: '' },
        { name: 'oidc', clientId: 'a', clientSecret: 'b', authURL: 'ftp://x' },
        { name: 'oidc3', clientId: 'a', clientSecret: 'b', extra: { issuer: 42 } },
      ],
    }))).toEqual([
      'collections/0/oauth2/mappedFields/name: "fullName" is not a field of this collection',
      'collections/0/oauth2/providers/0/name: "myspace" is not a provider Galley knows (apple, google, microsoft, github, gitlab, discord, oidc, oidc2, oidc3)',
      'collections/0/oauth2/providers/1/clientId: required while oauth2 is enabled',
      'collections/0/oauth2/providers/1/clientSecret: required while oauth2 is enabled',
      'collections/0/oauth2/providers/2/authURL: must be an http(s) URL',
      'collections/0/oauth2/providers/2/authURL: oidc needs authURL and tokenURL (or extra.issuer for discovery)',
      'collections/0/oauth2/providers/3/extra/issuer: must be the http(s) URL of an OpenID issuer',
    ]);
  });

  it('leaves providers unchecked while oauth2 is off (wire: as PocketBase)', () => {
    expect(problemsOf(users({ enabled: false, providers: [{ name: 'myspace' }] }))).toEqual([]);
  });
});
