/**
 * The dashboard's one way to the server: every page imports `pb` (and the helpers) from here, nothing else
 * creates a client. It is `@galley/sdk`'s client: the official `pocketbase` SDK (auth store, refresh,
 * realtime, files) with Galley's additions (`where` objects, sort arrays, the `filter` tag).
 */
import { createClient } from '@galley/sdk';
import { ClientResponseError, LocalAuthStore } from 'pocketbase';

/** The API lives one level above the dashboard (`/_/` → `/`); under `vite dev` that is the dev server, which proxies /api. */
export const apiBase = new URL('../', location.href).href;

/** Where the superuser's session is kept between visits (localStorage), apart from any app's own SDK session. */
const SESSION_KEY = 'galley_dashboard_auth';

export const pb = createClient(apiBase, new LocalAuthStore(SESSION_KEY));
// pages fire requests freely; the SDK's auto-cancellation of duplicate requests would reject some of them
pb.autoCancellation(false);

export const SUPERUSERS = '_superusers';

// A session the server stopped accepting (the superuser was deleted or its password changed: every token dies)
// ends here too, so the app shows sign-in (and returns to the page after) instead of failing request by request.
pb.afterSend = (response, data) => {
  const path = new URL(response.url).pathname;
  if (response.status === 401 && pb.authStore.token && !path.includes('/auth-') && !path.startsWith('/api/galley/installer')) pb.authStore.clear();
  return data;
};

/** Refresh the session ahead of expiry (seconds), as the SDK does for superusers. */
const AUTO_REFRESH_THRESHOLD = 30 * 60;

export function signInWithPassword(email: string, password: string) {
  return pb.collection(SUPERUSERS).authWithPassword(email, password, { autoRefreshThreshold: AUTO_REFRESH_THRESHOLD });
}

/**
 * The second factor when `_superusers` has MFA on (OTP is only ever that for superusers): the password answers
 * 401 `{mfaId}`; a code mailed to the superuser then signs in with that mfaId.
 */
export function mfaIdOf(err: unknown): string | undefined {
  const mfaId = err instanceof ClientResponseError && err.status === 401 ? err.response?.['mfaId'] : undefined;
  return typeof mfaId === 'string' && mfaId !== '' ? mfaId : undefined;
}

export async function requestSignInCode(email: string): Promise<string> {
  return (await pb.collection(SUPERUSERS).requestOTP(email)).otpId;
}

export function signInWithCode(otpId: string, code: string, mfaId: string) {
  return pb.collection(SUPERUSERS).authWithOTP(otpId, code, { mfaId, autoRefreshThreshold: AUTO_REFRESH_THRESHOLD });
}

/** On start: renew a stored session (new token, fresh record); a rejected one is dropped so sign-in shows. */
export async function refreshSession(): Promise<void> {
  if (!pb.authStore.isValid || !pb.authStore.isSuperuser) {
    pb.authStore.clear();
    return;
  }
  try {
    await pb.collection(SUPERUSERS).authRefresh();
  } catch (err) {
    if (err instanceof ClientResponseError && (err.status === 401 || err.status === 403 || err.status === 404)) pb.authStore.clear();
    else throw err;
  }
}

export function signOut(): void {
  pb.authStore.clear();
}

/**
 * Galley's own route behind the installer link: creates the first superuser with the one-time token that
 * `galley serve` printed. Refused once any superuser exists.
 */
export function installFirstSuperuser(input: { token: string; email: string; password: string; passwordConfirm: string }) {
  return pb.send<{ email: string }>('/api/galley/installer', { method: 'POST', body: input });
}

export { ClientResponseError };
