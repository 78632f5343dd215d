/**
 * `POST /api/galley/oauth2/check-provider`: the dashboard's "Test" button for an auth collection's OAuth2 provider
 * (PocketBase has none). It checks the config as the editor holds it, for real, without a user signing in:
 *
 * 1. discovery: an OpenID provider with `extra.issuer` has its discovery document fetched (not the sign-in cache)
 *    and must name the same issuer; the endpoints it lists fill those the config leaves empty;
 * 2. endpoints: the authorization, token and user info URLs are absolute http(s) URLs and answer (any HTTP status
 *    counts: only an unreachable host, a timeout or a 5xx fails);
 * 3. credentials: a token request with a made-up authorization code, as the sign-in would send it (HTTP Basic,
 *    then the form body). `invalid_client` means the provider refused the client id or secret; `invalid_grant`
 *    means it accepted them and refused only the code. Any other answer is reported as inconclusive.
 *
 * A provider left without a client secret (the dashboard never reads one back) is checked with the one saved in
 * the schema (none for a collection not created yet). Superusers only. Answers 200 with the checks whatever they found; bad input is a 400/404.
 */
import { randomBytes } from 'node:crypto';
import type { Core } from '../core.ts';
import { buildProvider, type OAuth2Provider } from '../auth/oauth2/resolve-provider.ts';
import { ProviderError, sendProviderRequest } from '../auth/oauth2/provider-http.ts';
import { invalid, issue, notFound } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { OAUTH2_PROVIDER_NAMES } from '../schema/check-oauth2.ts';
import { requireSuperuser } from './collections.ts';

export type ProviderCheckStatus = 'ok' | 'failed' | 'inconclusive';

export interface ProviderCheck {
  check: 'discovery' | 'endpoints' | 'credentials';
  status: ProviderCheckStatus;
  message: string;
}

export interface ProviderCheckResult {
  /** no check failed */
  ok: boolean;
  checks: ProviderCheck[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (err: unknown) => (err instanceof ProviderError || err instanceof Error ? err.message : String(err));

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The provider as the editor holds it, with the saved secret when none was given. */
function readProviderBody(core: Core, body: Record<string, unknown>): OAuth2Provider {
  const collectionName = typeof body['collection'] === 'string' ? body['collection'] : '';
  const config = body['provider'];
  if (!isObject(config)) throw invalid('Send the provider to check.', { provider: issue('validation_required', 'Cannot be blank.') });
  const name = config['name'];
  if (typeof name !== 'string' || !(OAUTH2_PROVIDER_NAMES as readonly string[]).includes(name)) {
    throw invalid('Unknown OAuth2 provider.', { provider: { name: issue('validation_invalid_value', `Must be one of ${OAUTH2_PROVIDER_NAMES.join(', ')}.`) } });
  }
  // a collection not yet created is checked without one (and so without a saved secret)
  const collection = collectionName === '' ? undefined : core.schema.findCollection(collectionName);
  if (collectionName !== '' && (!collection || collection.type !== 'auth')) throw notFound();
  const saved = collection?.auth?.oauth2.providers.find((p) => p['name'] === name);
  const secret = typeof config['clientSecret'] === 'string' && config['clientSecret'] !== '' ? config['clientSecret'] : saved?.['clientSecret'];
  return buildProvider({ ...config, clientSecret: secret ?? '' });
}

async function discoverEndpoints(p: OAuth2Provider, checks: ProviderCheck[]): Promise<void> {
  const issuer = typeof p.extra['issuer'] === 'string' ? p.extra['issuer'] : '';
  if (!p.name.startsWith('oidc') || issuer === '') return;
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  try {
    const res = await sendProviderRequest('token', url, { headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    const doc = JSON.parse(res.text) as unknown;
    if (!isObject(doc)) throw new Error(`${url} is not a JSON object`);
    if (doc['issuer'] !== issuer) throw new Error(`the document names the issuer ${JSON.stringify(doc['issuer'])}, not ${issuer}`);
    const text = (k: string) => (typeof doc[k] === 'string' ? (doc[k] as string) : '');
    p.authURL ||= text('authorization_endpoint');
    p.tokenURL ||= text('token_endpoint');
    p.userInfoURL ||= text('userinfo_endpoint');
    checks.push({ check: 'discovery', status: 'ok', message: `Read ${url}: authorization, token and user info endpoints found.` });
  } catch (err) {
    checks.push({ check: 'discovery', status: 'failed', message: `OpenID discovery failed: ${describe(err)}` });
  }
}

async function checkEndpoints(p: OAuth2Provider, checks: ProviderCheck[]): Promise<boolean> {
  // Apple has no user info endpoint (the user is in the id_token); OpenID providers may read it from the id_token too
  const optional = p.name === 'apple' || (p.name.startsWith('oidc') && typeof p.extra['jwksURL'] === 'string');
  const endpoints: Array<[string, string, boolean]> = [['authorization', p.authURL, true], ['token', p.tokenURL, true], ['user info', p.userInfoURL, !optional]];
  const problems: string[] = [];
  for (const [what, url, required] of endpoints) {
    if (url === '') {
      if (required) problems.push(`no ${what} URL`);
      continue;
    }
    if (!isHttpUrl(url)) {
      problems.push(`the ${what} URL ${url} is not an http(s) URL`);
      continue;
    }
    try {
      const res = await sendProviderRequest('token', url, { method: 'GET', headers: { accept: 'application/json, text/html' } });
      if (res.status >= 500) problems.push(`the ${what} URL answered ${res.status}`);
    } catch (err) {
      problems.push(describe(err));
    }
  }
  if (problems.length > 0) checks.push({ check: 'endpoints', status: 'failed', message: `Endpoints: ${problems.join('; ')}.` });
  else checks.push({ check: 'endpoints', status: 'ok', message: 'The authorization, token and user info endpoints answer.' });
  return isHttpUrl(p.tokenURL);
}

/** wire: the error codes providers answer a made-up code with (GitHub's own two answer with status 200) */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'incorrect_client_credentials']);
const CODE_REFUSED = new Set(['invalid_grant', 'bad_verification_code']);

async function requestToken(p: OAuth2Provider, redirectURL: string, basic: boolean): Promise<{ status: number; error: string; description: string }> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: `galley-check-${randomBytes(12).toString('hex')}`, redirect_uri: redirectURL });
  if (p.pkce) form.set('code_verifier', randomBytes(32).toString('base64url'));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basic) headers['authorization'] = `Basic ${Buffer.from(`${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`).toString('base64')}`;
  else {
    form.set('client_id', p.clientId);
    if (p.clientSecret !== '') form.set('client_secret', p.clientSecret);
  }
  const res = await sendProviderRequest('token', p.tokenURL, { method: 'POST', headers, body: form.toString() });
  let data: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(res.text) as unknown;
    if (isObject(parsed)) data = parsed;
  } catch {
    data = Object.fromEntries(new URLSearchParams(res.text)); // a form-encoded answer (GitHub without Accept)
  }
  return { status: res.status, error: typeof data['error'] === 'string' ? data['error'] : '', description: typeof data['error_description'] === 'string' ? data['error_description'] : '' };
}

async function checkCredentials(p: OAuth2Provider, redirectURL: string, checks: ProviderCheck[]): Promise<void> {
  if (p.clientId === '') {
    checks.push({ check: 'credentials', status: 'failed', message: 'No client id.' });
    return;
  }
  try {
    let answer = await requestToken(p, redirectURL, true);
    // as the sign-in does: credentials in the form body when HTTP Basic is refused
    if (!CODE_REFUSED.has(answer.error)) answer = await requestToken(p, redirectURL, false).then((second) => (second.error || second.status < 400 ? second : answer));
    const said = `${answer.error || `status ${answer.status}`}${answer.description ? `: ${answer.description}` : ''}`;
    if (CODE_REFUSED.has(answer.error)) {
      checks.push({ check: 'credentials', status: 'ok', message: `The client id and secret were accepted (a made-up code was refused as ${answer.error}).` });
    } else if (CLIENT_REFUSED.has(answer.error) || answer.status === 401) {
      checks.push({ check: 'credentials', status: 'failed', message: `The provider refused the client id or secret (${said}).` });
    } else {
      checks.push({ check: 'credentials', status: 'inconclusive', message: `The token endpoint answered ${said}; it does not tell whether the client id and secret are right.` });
    }
  } catch (err) {
    checks.push({ check: 'credentials', status: 'failed', message: `The token request failed: ${describe(err)}` });
  }
}

export async function checkOAuth2Provider(core: Core, info: RequestInfo, body: Record<string, unknown>, redirectURL: string): Promise<ProviderCheckResult> {
  requireSuperuser(info);
  const p = readProviderBody(core, body);
  const checks: ProviderCheck[] = [];
  await discoverEndpoints(p, checks);
  const canRequestToken = await checkEndpoints(p, checks);
  if (canRequestToken) await checkCredentials(p, redirectURL, checks);
  return { ok: checks.every((c) => c.status !== 'failed'), checks };
}
