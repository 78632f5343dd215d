/**
 * Each provider's user document → OAuth2User, as PocketBase maps it (tools/auth/*.go). `email` is set only
 * when the provider vouches for it (email_verified, GitHub's verified primary address, GitLab's confirmed_at).
 */
import { readIdTokenClaims } from './id-token.ts';
import { emptyOAuth2User, readClaimBool, readClaimString, type OAuth2Tokens, type OAuth2User } from './oauth2-user.ts';
import { asObject, fetchProviderJson, ProviderError } from './provider-http.ts';
import type { OAuth2Provider } from './resolve-provider.ts';

export type UserFetcher = (p: OAuth2Provider, tokens: OAuth2Tokens, now: Date) => Promise<OAuth2User>;

const str = readClaimString;
const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v !== '' ? [v] : []);

async function userDocument(p: OAuth2Provider, tokens: OAuth2Tokens): Promise<Record<string, unknown>> {
  return asObject(await fetchProviderJson(p.userInfoURL, tokens.accessToken), 'the user info');
}

async function idTokenClaims(p: OAuth2Provider, tokens: OAuth2Tokens, now: Date, apple = false): Promise<Record<string, unknown>> {
  try {
    return await readIdTokenClaims(
      tokens.idToken,
      {
        audience: p.clientId,
        issuers: apple ? ['https://appleid.apple.com'] : stringList(p.extra['issuers']),
        jwksURL: apple ? String(p.extra['jwksURL'] ?? 'https://appleid.apple.com/auth/keys') : String(p.extra['jwksURL'] ?? ''),
        requireExpiry: apple,
      },
      now,
    );
  } catch (err) {
    throw new ProviderError('user', `id_token rejected: ${(err as Error).message}`);
  }
}

/** Standard OpenID claims (generic oidc, Google): from the user info endpoint, else from the id_token. */
export const fetchOpenIdUser: UserFetcher = async (p, tokens, now) => {
  const raw = p.userInfoURL !== '' ? await userDocument(p, tokens) : await idTokenClaims(p, tokens, now);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'sub');
  user.name = str(raw, 'name');
  user.username = str(raw, 'preferred_username');
  user.avatarURL = str(raw, 'picture');
  if (readClaimBool(raw['email_verified'])) user.email = str(raw, 'email');
  return user;
};

export const fetchAppleUser: UserFetcher = async (p, tokens, now) => {
  const raw = await idTokenClaims(p, tokens, now, true);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'sub');
  user.name = str(raw, 'name');
  if (readClaimBool(raw['email_verified'])) user.email = str(raw, 'email');
  return user;
};

export const fetchGithubUser: UserFetcher = async (p, tokens) => {
  const raw = await userDocument(p, tokens);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'id');
  user.name = str(raw, 'name');
  user.username = str(raw, 'login');
  user.avatarURL = str(raw, 'avatar_url');
  // wire: the verified primary address from /user/emails; none when the token may not read it
  let emails: unknown = [];
  try {
    emails = await fetchProviderJson(`${p.userInfoURL}/emails`, tokens.accessToken);
  } catch {
    emails = [];
  }
  const primary = Array.isArray(emails) ? emails.find((e) => e && typeof e === 'object' && e.verified === true && e.primary === true) : undefined;
  user.email = primary && typeof primary.email === 'string' ? primary.email : '';
  return user;
};

export const fetchGitlabUser: UserFetcher = async (p, tokens) => {
  const raw = await userDocument(p, tokens);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'id');
  user.name = str(raw, 'name');
  user.username = str(raw, 'username');
  user.avatarURL = str(raw, 'avatar_url');
  const confirmed = Date.parse(str(raw, 'confirmed_at'));
  if (Number.isFinite(confirmed)) user.email = str(raw, 'email');
  return user;
};

export const fetchDiscordUser: UserFetcher = async (p, tokens) => {
  const raw = await userDocument(p, tokens);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'id');
  user.username = str(raw, 'username');
  const discriminator = str(raw, 'discriminator');
  user.name = str(raw, 'global_name') || user.username + (discriminator !== '' && discriminator !== '0' ? `#${discriminator}` : '');
  const avatar = str(raw, 'avatar');
  if (avatar !== '') user.avatarURL = `https://cdn.discordapp.com/avatars/${encodeURIComponent(user.id)}/${encodeURIComponent(avatar)}.png`;
  if (raw['verified'] === true) user.email = str(raw, 'email');
  return user;
};

/**
 * Microsoft Graph's `mail` is not a verified address, so Galley reads the email from the id_token's verified
 * claims (PocketBase's `extra.idTokenEmailClaim` modes; Galley's default is "any_verified", PocketBase's is Graph
 * `mail`, available as "graph_mail").
 */
export const fetchMicrosoftUser: UserFetcher = async (p, tokens, now) => {
  const raw = await userDocument(p, tokens);
  const user = emptyOAuth2User(tokens, raw);
  user.id = str(raw, 'id');
  user.name = str(raw, 'displayName');
  const mode = String(p.extra['idTokenEmailClaim'] ?? 'any_verified');
  if (mode === 'graph_mail') {
    user.email = str(raw, 'mail');
    return user;
  }
  const claims = tokens.idToken === '' ? {} : await idTokenClaims(p, tokens, now).catch(() => ({}) as Record<string, unknown>);
  const primary = str(claims, 'verified_primary_email');
  const edov = readClaimBool(claims['xms_edov']) ? str(claims, 'email') : '';
  if (mode === 'verified_primary_email') user.email = primary;
  else if (mode === 'email_and_xms_edov') user.email = edov;
  else if (mode === 'email') user.email = str(claims, 'email');
  else user.email = primary || edov;
  return user;
};
