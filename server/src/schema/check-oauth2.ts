/** An auth collection's `oauth2` options: known provider names, the ids every provider needs, mapped fields that exist. */
import { explainEnvReference, readEnvReference } from './env-secret.ts';
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';

/** The providers Galley speaks (auth/oauth2/provider-catalog.ts holds their endpoints and user mapping). */
export const OAUTH2_PROVIDER_NAMES = ['apple', 'google', 'microsoft', 'github', 'gitlab', 'discord', 'oidc', 'oidc2', 'oidc3'] as const;
export type OAuth2ProviderName = (typeof OAUTH2_PROVIDER_NAMES)[number];

const URL_KEYS = ['authURL', 'tokenURL', 'userInfoURL'] as const;

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** wire: PocketBase checks providers only while OAuth2 is enabled; it drops unknown mapped fields, Galley reports them. */
export function checkOAuth2Options(c: SourcedCollection, sink: ProblemSink): void {
  const oauth2 = c.model.auth?.oauth2;
  if (!oauth2) return;
  const base = [...c.path, 'oauth2'];
  for (const [key, name] of Object.entries(oauth2.mappedFields)) {
    if (name !== '' && !c.model.fields.some((f) => f.name === name)) {
      sink.add([...base, 'mappedFields', key], `${JSON.stringify(name)} is not a field of this collection`);
    }
  }
  if (!oauth2.enabled) return;
  oauth2.providers.forEach((p, i) => {
    const path = [...base, 'providers', i];
    const name = String(p['name'] ?? '');
    if (!(OAUTH2_PROVIDER_NAMES as readonly string[]).includes(name)) {
      sink.add([...path, 'name'], `${JSON.stringify(name)} is not a provider Galley knows (${OAUTH2_PROVIDER_NAMES.join(', ')})`);
    }
    for (const key of ['clientId', 'clientSecret'] as const) {
      if (typeof p[key] !== 'string' || p[key] === '') sink.add([...path, key], 'required while oauth2 is enabled');
    }
    const variable = readEnvReference(p['clientSecret']);
    const unresolved = variable === undefined ? undefined : explainEnvReference(variable);
    if (unresolved) sink.add([...path, 'clientSecret'], unresolved);
    for (const key of URL_KEYS) {
      const value = p[key];
      if (typeof value === 'string' && value !== '' && !isHttpUrl(value)) sink.add([...path, key], 'must be an http(s) URL');
    }
    const issuer = (p['extra'] as Record<string, unknown> | undefined)?.['issuer'];
    if (issuer !== undefined && (typeof issuer !== 'string' || !isHttpUrl(issuer))) {
      sink.add([...path, 'extra', 'issuer'], 'must be the http(s) URL of an OpenID issuer');
    }
    if (name.startsWith('oidc') && !issuer && URL_KEYS.slice(0, 2).some((k) => !p[k])) {
      sink.add([...path, 'authURL'], `${name} needs authURL and tokenURL (or extra.issuer for discovery)`);
    }
  });
}
