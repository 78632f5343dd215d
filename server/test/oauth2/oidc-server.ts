// A real OpenID provider (oidc-provider) on 127.0.0.1 for the OAuth2 tests: accounts the test controls, a
// confidential client with PKCE, and an interaction endpoint that logs in the `login_hint` account and consents.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider ships no type declarations
import Provider from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  picture?: string;
  preferred_username?: string;
}

export const CLIENT_ID = 'galley-app';
export const CLIENT_SECRET = 'galley-app-secret-0123456789';
export const REDIRECT_URL = 'http://127.0.0.1:5173/oauth2/callback';

export interface TestOidc {
  issuer: string;
  /** sub → claims; add or change accounts at any time */
  accounts: Map<string, TestAccount>;
  /** run the browser part: open the authorization URL as `login`, consent, and return what reaches the redirect URL */
  authorize(url: string, login: string): Promise<{ code: string; state: string; error: string; redirectedTo: string }>;
  close(): Promise<void>;
}

/** A minimal cookie jar for the hops through the provider. */
function createCookieJar() {
  const jar = new Map<string, string>();
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
    },
  };
}

/** `port` 0 picks a free one; a fixed port lets a schema name the issuer before the provider starts. */
export async function startTestOidc(redirectUris: string[] = [REDIRECT_URL], port = 0): Promise<TestOidc> {
  const accounts = new Map<string, TestAccount>();
  let provider: any;
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session, grantId } = details;
      if (prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: String(params.login_hint ?? '') } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, (scopes as string[]).join(' '));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  };
  let callback: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const server: Server = createServer((req, res) => (req.url?.startsWith('/interaction/') ? void interaction(req, res) : callback(req, res)));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ sub, ...account }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'picture', 'preferred_username'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    cookies: { keys: ['galley-test-cookie-key'] },
    pkce: { required: () => true },
    // the id_token carries the granted claims too (the oidc3 provider reads the user from it)
    conformIdTokenClaims: false,
    ttl: { AccessToken: 3600, IdToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  });
  provider.on('server_error', () => undefined);
  callback = provider.callback();

  return {
    issuer,
    accounts,
    async authorize(url, login) {
      const jar = createCookieJar();
      let next = `${url}&login_hint=${encodeURIComponent(login)}`;
      for (let hop = 0; hop < 12; hop++) {
        if (!next.startsWith(issuer)) {
          const u = new URL(next);
          return { code: u.searchParams.get('code') ?? '', state: u.searchParams.get('state') ?? '', error: u.searchParams.get('error') ?? '', redirectedTo: next };
        }
        const res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
        jar.take(res);
        const location = res.headers.get('location');
        if (!location) throw new Error(`provider stopped at ${next} with ${res.status}: ${(await res.text()).slice(0, 300)}`);
        await res.arrayBuffer();
        next = new URL(location, next).href;
      }
      throw new Error('too many redirects at the provider');
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
