/**
 * `GET /api/collections/meta/oauth2-providers` (superusers): the providers a collection's `oauth2.providers` may
 * name, as PocketBase lists its own (apis/collection.go): `{name, displayName, logo}` only, no endpoints or
 * secrets, ordered as PocketBase orders them. Galley lists the providers it speaks, not PocketBase's whole set.
 */
import { PROVIDER_CATALOG } from '../auth/oauth2/provider-catalog.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { OAUTH2_PROVIDER_NAMES, type OAuth2ProviderName } from '../schema/check-oauth2.ts';
import { requireSuperuser } from './collections.ts';

export interface OAuth2ProviderInfo {
  name: string;
  displayName: string;
  /** SVG markup (Galley's own plain badge; PocketBase ships brand logos) */
  logo: string;
}

/** wire: each provider's order in PocketBase's tools/auth; ties go by name. */
const ORDER: Record<OAuth2ProviderName, number> = { apple: 1, google: 2, microsoft: 3, github: 7, gitlab: 8, discord: 12, oidc: 99, oidc2: 99, oidc3: 99 };

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A neutral rounded badge with the display name's first letter. */
function drawProviderBadge(displayName: string): string {
  const letter = escapeXml(displayName.slice(0, 1).toUpperCase());
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">' +
    '<rect width="40" height="40" rx="8" fill="#e5e9ee"/>' +
    `<text x="20" y="26" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#2b2f33">${letter}</text></svg>`
  );
}

export function listOAuth2ProviderInfo(info: RequestInfo): OAuth2ProviderInfo[] {
  requireSuperuser(info);
  return [...OAUTH2_PROVIDER_NAMES]
    .sort((a, b) => ORDER[a] - ORDER[b] || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const displayName = PROVIDER_CATALOG[name].displayName;
      return { name, displayName, logo: drawProviderBadge(displayName) };
    });
}
