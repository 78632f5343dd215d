/**
 * Which sign-in methods an auth collection may combine (wire: PocketBase's auth options validation and its
 * `_superusers` save hook). PocketBase quietly forces `_superusers`' options on save; a schema file is told instead.
 */
import type { SourcedCollection } from './normalize.ts';
import type { ProblemSink } from './problems.ts';
import { SUPERUSERS_NAME } from './system-collections.ts';

export function checkAuthMethods(c: SourcedCollection, sink: ProblemSink): void {
  const auth = c.model.auth;
  if (!auth) return;
  const path = c.path;
  const superusers = c.model.name.toLowerCase() === SUPERUSERS_NAME;
  if (superusers) {
    if (!auth.passwordAuth.enabled) {
      sink.add([...path, 'passwordAuth', 'enabled'], 'superusers always sign in with a password (PocketBase forces it on): set it to true');
    }
    if (auth.oauth2.enabled) {
      sink.add([...path, 'oauth2', 'enabled'], 'OAuth2 is never on for _superusers (PocketBase turns it off, so no provider sign-in can make a superuser): set it to false');
    }
    if (auth.otp.enabled && !auth.mfa.enabled) {
      sink.add([...path, 'mfa', 'enabled'], 'OTP on _superusers is only ever a second factor (PocketBase turns MFA on with it): set mfa.enabled to true, or otp.enabled to false');
    }
  }
  if (!auth.mfa.enabled) return;
  // _superusers always has a password and never OAuth2, whatever the options say
  const methods = [
    ['passwordAuth', auth.passwordAuth.enabled || superusers],
    ['oauth2', auth.oauth2.enabled && !superusers],
    ['otp', auth.otp.enabled],
  ] as const;
  const on = methods.filter(([, enabled]) => enabled).map(([name]) => name);
  if (on.length < 2) {
    const off = methods.filter(([name, enabled]) => !enabled && !(superusers && name === 'oauth2')).map(([name]) => `${name}.enabled`);
    const have = on.length === 0 ? 'none is' : `only ${on[0]} is`;
    sink.add([...path, 'mfa', 'enabled'], `MFA requires at least 2 auth methods to be enabled (${have}): set ${off.join(' or ')} to true, or mfa.enabled to false`);
  }
}
