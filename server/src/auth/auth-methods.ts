import type { CollectionModel } from '../schema/model.ts';

/**
 * wire: GET auth-methods in PocketBase's shape (§6.3), including the legacy keys older SDKs read. Durations
 * are 0 for what is off; OAuth2 providers come with the OAuth2 part of the auth work (none listed yet).
 */
export function describeAuthMethods(collection: CollectionModel): Record<string, unknown> {
  const auth = collection.auth;
  const password = auth?.passwordAuth ?? { enabled: true, identityFields: ['email'] };
  const identityFields = password.enabled ? [...password.identityFields] : [];
  const otp = auth?.otp;
  const mfa = auth?.mfa;
  return {
    password: { enabled: password.enabled, identityFields },
    oauth2: { enabled: auth?.oauth2.enabled ?? false, providers: [] },
    mfa: { enabled: mfa?.enabled ?? false, duration: mfa?.enabled ? mfa.duration : 0 },
    otp: { enabled: otp?.enabled ?? false, duration: otp?.enabled ? otp.duration : 0 },
    authProviders: null,
    usernamePassword: password.enabled && identityFields.includes('username'),
    emailPassword: password.enabled && identityFields.includes('email'),
  };
}
