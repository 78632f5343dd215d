/** The providers Galley speaks, with PocketBase's defaults: endpoints, scopes, PKCE and how to read the user. */
import type { OAuth2ProviderName } from '../../schema/check-oauth2.ts';
import {
  fetchAppleUser,
  fetchDiscordUser,
  fetchGithubUser,
  fetchGitlabUser,
  fetchMicrosoftUser,
  fetchOpenIdUser,
  type UserFetcher,
} from './provider-user.ts';

export interface ProviderDefaults {
  displayName: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  scopes: string[];
  pkce: boolean;
  /** extra authorization URL parameters */
  authParams: Record<string, string>;
  fetchUser: UserFetcher;
}

const openId = (): ProviderDefaults => ({
  displayName: 'OIDC',
  authURL: '',
  tokenURL: '',
  userInfoURL: '',
  scopes: ['openid', 'email', 'profile'],
  pkce: true,
  authParams: {},
  fetchUser: fetchOpenIdUser,
});

/** wire: endpoints and scopes as in PocketBase's tools/auth (Microsoft adds `openid` for its verified-email claims). */
export const PROVIDER_CATALOG: Record<OAuth2ProviderName, ProviderDefaults> = {
  apple: {
    displayName: 'Apple',
    authURL: 'https://appleid.apple.com/auth/authorize',
    tokenURL: 'https://appleid.apple.com/auth/token',
    userInfoURL: '',
    scopes: ['name', 'email'],
    pkce: true,
    // wire: Apple posts the code back (and the user's name, on first consent only)
    authParams: { response_mode: 'form_post' },
    fetchUser: fetchAppleUser,
  },
  google: {
    displayName: 'Google',
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
    scopes: ['https://www.googleapis.com/auth/userinfo.profile', 'https://www.googleapis.com/auth/userinfo.email'],
    pkce: true,
    authParams: {},
    fetchUser: fetchOpenIdUser,
  },
  microsoft: {
    displayName: 'Microsoft',
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    scopes: ['User.Read', 'openid'],
    pkce: true,
    authParams: {},
    fetchUser: fetchMicrosoftUser,
  },
  github: {
    displayName: 'GitHub',
    authURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    scopes: ['read:user', 'user:email'],
    pkce: true,
    authParams: {},
    fetchUser: fetchGithubUser,
  },
  gitlab: {
    displayName: 'GitLab',
    authURL: 'https://gitlab.com/oauth/authorize',
    tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    scopes: ['read_user'],
    pkce: true,
    authParams: {},
    fetchUser: fetchGitlabUser,
  },
  discord: {
    displayName: 'Discord',
    authURL: 'https://discord.com/api/oauth2/authorize',
    tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'],
    pkce: true,
    authParams: {},
    fetchUser: fetchDiscordUser,
  },
  oidc: openId(),
  oidc2: openId(),
  oidc3: openId(),
};
