import type { Core } from '../core.ts';
import type { CollectionModel } from '../schema/model.ts';
import { describeOAuth2Providers } from './oauth2/auth-url.ts';

/**
 * wire: GET auth-methods in PocketBase's shape (§6.3), including the legacy keys older SDKs read. Durations
 * are 0 for what is off. Each OAuth2 provider comes with a fresh state and PKCE pair (never its client secret).
 */
export async function describeAuthMethods(core: Core, collection: CollectionModel): Promise<Record<string, unknown>> {
  const auth = collection.auth;
  const password = auth?.passwordAuth ?? { enabled: true, identityFields: ['email'] };
  const identityFields = password.enabled ? [...password.identityFields] : [];
  const otp = auth?.otp;
  const mfa = auth?.mfa;
  // wire: OAuth2 is always off for _superusers
  const oauth2Enabled = (auth?.oauth2.enabled ?? false) && collection.name !== '_superusers';
  const providers = oauth2Enabled ? await describeOAuth2Providers(core, collection) : [];
  return {
    // wire: keys in PocketBase's order (apis/record_auth_methods.go)
    password: { identityFields, enabled: password.enabled },
    oauth2: { providers, enabled: oauth2Enabled },
    mfa: { enabled: mfa?.enabled ?? false, duration: mfa?.enabled ? mfa.duration : 0 },
    otp: { enabled: otp?.enabled ?? false, duration: otp?.enabled ? otp.duration : 0 },
    authProviders: oauth2Enabled ? providers : null,
    usernamePassword: password.enabled && identityFields.includes('username'),
    emailPassword: password.enabled && identityFields.includes('email'),
  };
}
