import type { CollectionModel } from '../schema/model.ts';

/** wire: GET auth-methods, including the legacy keys older SDKs read. */
export function describeAuthMethods(collection: CollectionModel): Record<string, unknown> {
  const auth = collection.auth;
  const password = auth?.passwordAuth ?? { enabled: true, identityFields: ['email'] };
  return {
    password: { enabled: password.enabled, identityFields: password.identityFields },
    oauth2: { enabled: false, providers: [] },
    mfa: { enabled: false, duration: 0 },
    otp: { enabled: false, duration: 0 },
    authProviders: null,
    usernamePassword: password.enabled && password.identityFields.includes('username'),
    emailPassword: password.enabled && password.identityFields.includes('email'),
  };
}
