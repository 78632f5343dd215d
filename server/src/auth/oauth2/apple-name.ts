/**
 * Apple sends the user's name only in the first redirect's form (`user`), never in the id_token: the redirect
 * route keeps it for a minute under the code, and auth-with-oauth2 takes it (PocketBase does the same).
 */
/** One Galley's kept names by code (held as `core.oauth2.appleNames`: a code one app was given is its own). */
export type AppleNames = Map<string, { name: string; until: number }>;
const KEEP_MS = 60_000;
/** Names waiting at most; past it a new one is not kept (the sign-in then has no name, as without Apple's form). */
const MAX_KEPT = 10_000;

/** Keep the name from Apple's `user` form value (JSON `{name: {firstName, lastName}}`) for this code. */
export function keepAppleName(names: AppleNames, code: string, appleUser: string, now = Date.now()): void {
  if (code === '' || code.length > 1000 || appleUser === '') return;
  for (const [key, v] of names) if (v.until < now) names.delete(key);
  if (names.size >= MAX_KEPT) return;
  try {
    const parsed = JSON.parse(appleUser) as { name?: { firstName?: unknown; lastName?: unknown } };
    const first = typeof parsed.name?.firstName === 'string' ? parsed.name.firstName : '';
    const last = typeof parsed.name?.lastName === 'string' ? parsed.name.lastName : '';
    const name = `${first} ${last}`.slice(0, 150).trim();
    if (name !== '') names.set(code, { name, until: now + KEEP_MS });
  } catch {
    // not JSON: nothing to keep
  }
}

export function takeAppleName(names: AppleNames, code: string, now = Date.now()): string {
  const kept = names.get(code);
  names.delete(code);
  return kept && kept.until >= now ? kept.name : '';
}
