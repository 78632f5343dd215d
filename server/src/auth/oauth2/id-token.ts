/**
 * Reading an OpenID id_token received straight from the token endpoint (PocketBase's parseIdToken): claims
 * checked for audience, time (5 minutes' leeway) and, when configured, issuer; the signature is checked
 * against the provider's JWKS when a `jwksURL` is known (always for Apple).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';

const LEEWAY_SECONDS = 300;
// process-wide on purpose: a key set is the provider's public document, the same for any app that names the URL
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

export interface IdTokenChecks {
  audience: string;
  /** accepted `iss` values; empty: any */
  issuers: string[];
  /** verify the signature against this key set */
  jwksURL: string;
  requireExpiry?: boolean;
}

function checkTimes(claims: JWTPayload, now: number, requireExpiry: boolean): void {
  if (claims.exp === undefined) {
    if (requireExpiry) throw new Error('id_token has no exp');
  } else if (typeof claims.exp !== 'number' || claims.exp + LEEWAY_SECONDS < now) throw new Error('id_token expired');
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat - LEEWAY_SECONDS > now)) {
    throw new Error('id_token issued in the future');
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - LEEWAY_SECONDS > now)) {
    throw new Error('id_token not valid yet');
  }
}

/** The id_token's claims once every configured check passed; throws otherwise. */
export async function readIdTokenClaims(idToken: string, checks: IdTokenChecks, now: Date): Promise<Record<string, unknown>> {
  if (idToken === '') throw new Error('empty id_token');
  const claims = decodeJwt(idToken);
  checkTimes(claims, Math.floor(now.getTime() / 1000), checks.requireExpiry ?? false);
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(checks.audience)) throw new Error('id_token audience mismatch');
  if (checks.issuers.length > 0 && !checks.issuers.includes(String(claims.iss ?? ''))) throw new Error('id_token issuer mismatch');
  if (checks.jwksURL !== '') {
    let keys = jwksByUrl.get(checks.jwksURL);
    if (!keys) jwksByUrl.set(checks.jwksURL, (keys = createRemoteJWKSet(new URL(checks.jwksURL))));
    // times and claims were checked above with PocketBase's leeway
    await jwtVerify(idToken, keys, { clockTolerance: LEEWAY_SECONDS, currentDate: now });
  }
  return claims as Record<string, unknown>;
}
