/**
 * The authorization code → tokens exchange (RFC 6749 §4.1.3, with the PKCE verifier). Client credentials go
 * in an HTTP Basic header first and, if the provider refuses that, in the form body: golang.org/x/oauth2's
 * auto-detection, which PocketBase relies on.
 */
import type { OAuth2Tokens } from './oauth2-user.ts';
import { ProviderError, sendProviderRequest } from './provider-http.ts';
import type { OAuth2Provider } from './resolve-provider.ts';

function parseTokenBody(contentType: string, text: string): Record<string, unknown> {
  if (/json/i.test(contentType) || text.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through: not JSON after all
    }
    return {};
  }
  return Object.fromEntries(new URLSearchParams(text)); // GitHub's form-encoded answer
}

async function postToken(p: OAuth2Provider, form: URLSearchParams, basic: boolean) {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basic) {
    const pair = `${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    body.set('client_id', p.clientId);
    if (p.clientSecret !== '') body.set('client_secret', p.clientSecret);
  }
  const res = await sendProviderRequest('token', p.tokenURL, { method: 'POST', headers, body: body.toString() });
  return { status: res.status, data: parseTokenBody(res.contentType, res.text) };
}

export async function exchangeAuthorizationCode(
  p: OAuth2Provider,
  code: string,
  codeVerifier: string,
  redirectURL: string,
  now: Date,
): Promise<OAuth2Tokens> {
  if (p.tokenURL === '') throw new ProviderError('token', 'the provider has no token URL');
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURL });
  if (p.pkce) form.set('code_verifier', codeVerifier);
  let res = await postToken(p, form, true);
  if (res.status !== 200 || typeof res.data['access_token'] !== 'string') res = await postToken(p, form, false);
  const data = res.data;
  const accessToken = data['access_token'];
  if (res.status < 200 || res.status >= 300 || typeof accessToken !== 'string' || accessToken === '') {
    const reason = typeof data['error'] === 'string' ? `${data['error']}${typeof data['error_description'] === 'string' ? `: ${data['error_description']}` : ''}` : `status ${res.status}`;
    throw new ProviderError('token', `token exchange refused (${reason})`);
  }
  const expiresIn = Number(data['expires_in']);
  return {
    accessToken,
    refreshToken: typeof data['refresh_token'] === 'string' ? data['refresh_token'] : '',
    expiry: Number.isFinite(expiresIn) && expiresIn > 0 ? new Date(now.getTime() + expiresIn * 1000) : null,
    idToken: typeof data['id_token'] === 'string' ? data['id_token'] : '',
  };
}
