/** The `oauth2.providers` of auth-methods: per provider a fresh state, PKCE pair and the authorization URL. */
import { createHash } from 'node:crypto';
import type { Core } from '../../core.ts';
import { randomString } from '../../lib/ids.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { resolveProvider, type OAuth2Provider } from './resolve-provider.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ProviderInfo {
  name: string;
  displayName: string;
  logo: string;
  state: string;
  authURL: string;
  authUrl: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

/** wire: base64url(sha256(verifier)) without padding (RFC 7636 S256). */
export function computeCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * wire: Go's AuthCodeURL (parameters sorted by name, `&` when the URL already has a query) followed by
 * `&redirect_uri=` for the client to complete.
 */
export function buildAuthorizationUrl(p: OAuth2Provider, state: string, challenge: string): string {
  const params = new URLSearchParams({ client_id: p.clientId, response_type: 'code', state, ...p.authParams });
  if (p.scopes.length > 0) params.set('scope', p.scopes.join(' '));
  if (challenge !== '') {
    params.set('code_challenge', challenge);
    params.set('code_challenge_method', 'S256');
  }
  params.sort();
  return `${p.authURL}${p.authURL.includes('?') ? '&' : '?'}${params.toString()}&redirect_uri=`;
}

export async function describeOAuth2Providers(core: Core, collection: CollectionModel): Promise<ProviderInfo[]> {
  const out: ProviderInfo[] = [];
  for (const config of collection.auth?.oauth2.providers ?? []) {
    let p: OAuth2Provider;
    try {
      p = await resolveProvider(config);
    } catch (err) {
      // wire: a provider that cannot be set up is left out of the list
      core.log.warn(`oauth2: provider ${String(config['name'])} of ${collection.name} left out: ${(err as Error).message}`);
      continue;
    }
    const state = randomString(30, ALNUM);
    const codeVerifier = p.pkce ? randomString(43, ALNUM) : '';
    const codeChallenge = p.pkce ? computeCodeChallenge(codeVerifier) : '';
    const authURL = buildAuthorizationUrl(p, state, codeChallenge);
    out.push({
      name: p.name,
      displayName: p.displayName || p.name,
      logo: '',
      state,
      authURL,
      authUrl: authURL,
      codeVerifier,
      codeChallenge,
      codeChallengeMethod: p.pkce ? 'S256' : '',
    });
  }
  return out;
}
