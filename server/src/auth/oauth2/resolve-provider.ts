/**
 * A collection's provider config (PocketBase's shape) over the catalog's defaults: non-empty values win, as
 * PocketBase's InitProvider sets them. Galley's convenience: `extra.issuer` on an OpenID provider fills the
 * endpoints the config leaves empty (and `extra.jwksURL`, `extra.issuers`) from the issuer's discovery document.
 */
import { allowInsecureRequests, discovery } from 'openid-client';
import { OAUTH2_PROVIDER_NAMES, type OAuth2ProviderName } from '../../schema/check-oauth2.ts';
import { resolveEnvSecret } from '../../schema/env-secret.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { PROVIDER_CATALOG, type ProviderDefaults } from './provider-catalog.ts';
import { ProviderError } from './provider-http.ts';

export interface OAuth2Provider extends ProviderDefaults {
  name: OAuth2ProviderName;
  clientId: string;
  clientSecret: string;
  extra: Record<string, unknown>;
}

interface Discovered {
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  jwksURL: string;
  issuer: string;
  at: number;
}

const DISCOVERY_TTL_MS = 10 * 60_000;
// process-wide on purpose: an issuer's discovery document is public and the same for any app (10 min TTL)
const discovered = new Map<string, Discovered>();

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The provider config with this name, when OAuth2 is on for the collection (never for `_superusers`). */
export function findProviderConfig(collection: CollectionModel, name: string): Record<string, unknown> | undefined {
  const oauth2 = collection.auth?.oauth2;
  if (!oauth2?.enabled || collection.name === '_superusers') return undefined;
  if (!(OAUTH2_PROVIDER_NAMES as readonly string[]).includes(name)) return undefined;
  return oauth2.providers.find((p) => p['name'] === name);
}

/** Settings of a provider as configured, without any network request. */
export function buildProvider(config: Record<string, unknown>): OAuth2Provider {
  const name = config['name'] as OAuth2ProviderName;
  const base = PROVIDER_CATALOG[name];
  const extra = typeof config['extra'] === 'object' && config['extra'] !== null ? { ...(config['extra'] as Record<string, unknown>) } : {};
  return {
    ...base,
    name,
    displayName: text(config['displayName']) || base.displayName,
    clientId: text(config['clientId']),
    clientSecret: resolveEnvSecret(text(config['clientSecret'])), // "$env:NAME" read at use, never kept
    authURL: text(config['authURL']) || base.authURL,
    tokenURL: text(config['tokenURL']) || base.tokenURL,
    userInfoURL: text(config['userInfoURL']) || base.userInfoURL,
    pkce: typeof config['pkce'] === 'boolean' ? config['pkce'] : base.pkce,
    extra,
  };
}

async function discover(issuer: string, clientId: string): Promise<Discovered> {
  const cached = discovered.get(issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached;
  try {
    const insecure = new URL(issuer).protocol === 'http:'; // an operator's own issuer, e.g. on loopback
    const config = await discovery(new URL(issuer), clientId, undefined, undefined, { execute: insecure ? [allowInsecureRequests] : [], timeout: 30 });
    const m = config.serverMetadata();
    const found = {
      authURL: m.authorization_endpoint ?? '',
      tokenURL: m.token_endpoint ?? '',
      userInfoURL: m.userinfo_endpoint ?? '',
      jwksURL: m.jwks_uri ?? '',
      issuer: m.issuer,
      at: Date.now(),
    };
    discovered.set(issuer, found);
    return found;
  } catch (err) {
    throw new ProviderError('token', `OpenID discovery of ${issuer} failed: ${(err as Error).message}`);
  }
}

/** The provider ready to use: an OpenID provider with `extra.issuer` has its missing endpoints discovered. */
export async function resolveProvider(config: Record<string, unknown>): Promise<OAuth2Provider> {
  const p = buildProvider(config);
  const issuer = text(p.extra['issuer']);
  if (!p.name.startsWith('oidc') || issuer === '' || (p.authURL && p.tokenURL && p.userInfoURL)) return p;
  const d = await discover(issuer, p.clientId);
  p.authURL ||= d.authURL;
  p.tokenURL ||= d.tokenURL;
  p.userInfoURL ||= d.userInfoURL;
  p.extra['jwksURL'] ??= d.jwksURL;
  p.extra['issuers'] ??= [d.issuer];
  return p;
}
