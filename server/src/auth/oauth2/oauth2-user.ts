/** The provider's user, normalised (PocketBase's auth.AuthUser) and the tokens it came with. */
import { formatDateTime } from '../../lib/datetime.ts';

export interface OAuth2Tokens {
  accessToken: string;
  refreshToken: string;
  /** null when the provider gave no lifetime */
  expiry: Date | null;
  /** the OpenID id_token, when the token endpoint returned one */
  idToken: string;
}

export interface OAuth2User {
  /** the subject: the provider's stable id for this user */
  id: string;
  name: string;
  username: string;
  /** wire: ONLY an email the provider says is verified; "" otherwise */
  email: string;
  avatarURL: string;
  rawUser: Record<string, unknown>;
  accessToken: string;
  refreshToken: string;
  expiry: Date | null;
}

export function emptyOAuth2User(tokens: OAuth2Tokens, rawUser: Record<string, unknown>): OAuth2User {
  return {
    id: '',
    name: '',
    username: '',
    email: '',
    avatarURL: '',
    rawUser,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiry: tokens.expiry,
  };
}

/** wire: the auth response's `meta`, as PocketBase marshals AuthUser (plus legacy `avatarUrl`) and `isNew`. */
export function buildOAuth2Meta(user: OAuth2User, isNew: boolean): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    email: user.email,
    avatarURL: user.avatarURL,
    avatarUrl: user.avatarURL,
    accessToken: user.accessToken,
    refreshToken: user.refreshToken,
    expiry: user.expiry ? formatDateTime(user.expiry) : '',
    rawUser: user.rawUser,
    isNew,
  };
}

/** Truthy as Go's cast.ToBool reads a claim: true, "true", "1", 1 (providers send booleans as strings too). */
export function readClaimBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['1', 't', 'true'].includes(value.trim().toLowerCase());
  return false;
}

export function readClaimString(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}
