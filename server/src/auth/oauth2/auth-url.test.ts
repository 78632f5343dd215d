import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import { describe, expect, it } from 'vitest';
import { buildAuthorizationUrl, computeCodeChallenge } from './auth-url.ts';
import { buildProvider } from './resolve-provider.ts';

describe('buildAuthorizationUrl', () => {
  it('sorts the parameters as Go encodes them and leaves redirect_uri for the client', () => {
    const p = buildProvider({ name: 'google', clientId: 'cid 1' });
    expect(buildAuthorizationUrl(p, 'st', 'ch')).toBe(
      'https://accounts.google.com/o/oauth2/v2/auth?client_id=cid+1&code_challenge=ch&code_challenge_method=S256&response_type=code' +
        '&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.profile+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email&state=st&redirect_uri=',
    );
  });

  it('adds Apple\'s form_post mode, keeps a query already in the URL, and sends no PKCE when it is off', () => {
    const apple = buildProvider({ name: 'apple', clientId: 'c' });
    expect(buildAuthorizationUrl(apple, 's', '')).toBe('https://appleid.apple.com/auth/authorize?client_id=c&response_mode=form_post&response_type=code&scope=name+email&state=s&redirect_uri=');
    const custom = buildProvider({ name: 'oidc', clientId: 'c', authURL: 'https://id.example/auth?tenant=t', pkce: false });
    expect(custom.pkce).toBe(false);
    expect(buildAuthorizationUrl(custom, 's', '')).toBe('https://id.example/auth?tenant=t&client_id=c&response_type=code&scope=openid+email+profile&state=s&redirect_uri=');
  });

  it('computes the S256 challenge as openid-client does', async () => {
    for (const verifier of ['a'.repeat(43), randomPKCECodeVerifier(), randomPKCECodeVerifier()]) {
      expect(computeCodeChallenge(verifier)).toBe(await calculatePKCECodeChallenge(verifier));
    }
  });
});
