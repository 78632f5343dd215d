/**
 * POST /api/collections/{c}/auth-with-oauth2 `{provider, code, codeVerifier, redirectURL, createData?}`: the code
 * is exchanged at the provider (with the PKCE verifier), the provider's user read, and the sign-in resolved to
 * a record (link-account.ts). Provider trouble is a 400 with PocketBase's messages, never a 500.
 */
import type { Core } from '../../core.ts';
import { GalleyError, issue, type IssueTree } from '../../errors.ts';
import { deriveRequest } from '../../rules/request-info.ts';
import type { AuthResponse } from '../auth-response.ts';
import { completeAuthWithMfa, type AuthAttempt, type MfaChallenge } from '../mfa.ts';
import { findAuthCollection } from '../password-auth.ts';
import { findOAuth2Account, submitOAuth2Account } from './link-account.ts';
import { triggerAuthActionHooks } from '../../hooks/auth-hook-points.ts';
import { readEventRow, toEventRecord } from '../hook-event-row.ts';
import { buildOAuth2Meta, type OAuth2User } from './oauth2-user.ts';
import { ProviderError } from './provider-http.ts';
import { takeAppleName } from './apple-name.ts';
import { findProviderConfig, resolveProvider, type OAuth2Provider } from './resolve-provider.ts';
import { exchangeAuthorizationCode } from './token-exchange.ts';

const LOAD_FAILED = 'An error occurred while loading the submitted data.';

interface OAuth2Form {
  provider: string;
  code: string;
  codeVerifier: string;
  redirectURL: string;
  createData: Record<string, unknown>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

function readForm(body: Record<string, unknown>, hasProvider: (name: string) => boolean): OAuth2Form {
  const issues: IssueTree = {};
  const provider = text(body['provider']);
  if (provider === '') issues['provider'] = issue('validation_required', 'Cannot be blank.');
  else if (provider.length > 100) issues['provider'] = issue('validation_length_out_of_range', 'The length must be between 0 and 100.', { min: 0, max: 100 });
  else if (!hasProvider(provider)) {
    issues['provider'] = issue('validation_invalid_provider', `Provider with name ${provider} is missing or is not enabled.`, { name: provider });
  }
  if (text(body['code']) === '') issues['code'] = issue('validation_required', 'Cannot be blank.');
  const createData = body['createData'];
  if (createData !== undefined && createData !== null && (typeof createData !== 'object' || Array.isArray(createData))) {
    throw new GalleyError('invalid', LOAD_FAILED);
  }
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', LOAD_FAILED, { issues });
  return {
    provider,
    code: text(body['code']),
    codeVerifier: text(body['codeVerifier']),
    // wire: `redirectUrl` is the pre-0.23 spelling, still read
    redirectURL: text(body['redirectURL']) || text(body['redirectUrl']),
    createData: (createData as Record<string, unknown> | null | undefined) ?? {},
  };
}

async function fetchProviderUser(core: Core, config: Record<string, unknown>, form: OAuth2Form): Promise<{ provider: OAuth2Provider; user: OAuth2User }> {
  try {
    const provider = await resolveProvider(config);
    const tokens = await exchangeAuthorizationCode(provider, form.code, form.codeVerifier, form.redirectURL, core.clock());
    const user = await provider.fetchUser(provider, tokens, core.clock());
    if (user.id === '') throw new ProviderError('user', 'the provider named no user id');
    if (provider.name === 'apple' && user.name === '') user.name = takeAppleName(core.oauth2.appleNames, form.code);
    return { provider, user };
  } catch (err) {
    const stage = err instanceof ProviderError ? err.stage : 'user';
    core.log.debug(`oauth2: ${form.provider}: ${(err as Error).message}`);
    throw new GalleyError('invalid', stage === 'token' ? 'Failed to fetch OAuth2 token.' : 'Failed to fetch OAuth2 user.', { cause: err });
  }
}

export async function authWithOAuth2(core: Core, attempt: AuthAttempt, collectionIdOrName: string): Promise<AuthResponse | MfaChallenge> {
  const collection = findAuthCollection(core, collectionIdOrName);
  if (!collection.auth?.oauth2.enabled || collection.name === '_superusers') {
    throw new GalleyError('forbidden', 'The collection is not configured to allow OAuth2 authentication.');
  }
  const form = readForm(attempt.body, (name) => findProviderConfig(collection, name) !== undefined);
  const { provider, user } = await fetchProviderUser(core, findProviderConfig(collection, form.provider)!, form);
  const oauth2Info = deriveRequest(attempt.info, { context: 'oauth2' });
  const account = await failAsAuthentication(() => findOAuth2Account(core, oauth2Info, collection, form.provider, user));
  const found = toEventRecord(collection, account.row);
  const event = {
    collection,
    providerName: form.provider,
    providerClient: { ...provider },
    record: found.view,
    oauth2User: user,
    createData: form.createData,
    isNewRecord: account.row === undefined,
  };
  // the hooks file's onRecordAuthWithOAuth2Request (hooks/auth-hook-points.ts): the record found (null: a sign-up)
  return triggerAuthActionHooks(core.hooks.registry, core.log, 'onRecordAuthWithOAuth2Request', event, async (e) => {
    const row = await readEventRow(core, collection, e.record, found);
    const oauth2User = e.oauth2User as OAuth2User;
    const linked = account.linked && row !== undefined && row === account.row;
    const createData = typeof e.createData === 'object' && e.createData !== null ? e.createData : {};
    const signedIn = await failAsAuthentication(() => submitOAuth2Account(core, oauth2Info, collection, form.provider, oauth2User, createData, { row, linked }));
    // a first factor: the authRule, then MFA (401 {mfaId}) or the token, then the new-origin alert
    return completeAuthWithMfa(core, attempt, collection, signedIn, 'oauth2', { meta: buildOAuth2Meta(oauth2User, Boolean(e.isNewRecord)) });
  });
}

/** wire: PocketBase answers a failed link or sign-up with "Failed to authenticate." (a Galley error keeps its own). */
async function failAsAuthentication<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GalleyError) throw err;
    throw new GalleyError('invalid', 'Failed to authenticate.', { cause: err });
  }
}
