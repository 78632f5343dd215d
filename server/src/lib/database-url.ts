/**
 * A PostgreSQL connection URL as Galley holds it: the full text for the driver, and a masked form (the password
 * replaced by `***`) for anything shown. toString/toJSON give the masked form, so a config printed or logged by
 * mistake never carries the password.
 */
export interface DatabaseUrl {
  /** the URL as given: hand it to the driver only */
  reveal(): string;
  /** `postgres://user:***@host:5432/db` */
  readonly masked: string;
  toString(): string;
  toJSON(): string;
}

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);

/** The URL read, or a reason it cannot be one (the reason never repeats the URL, which may hold a password). */
export function parseDatabaseUrl(text: string): DatabaseUrl | { problem: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: 'is not a URL (postgres://user:password@host:5432/database)' };
  }
  if (!POSTGRES_SCHEMES.has(url.protocol)) return { problem: `is a ${url.protocol.replace(/:$/, '')} URL; only postgres:// (or postgresql://) is supported` };
  const full = text.trim();
  if (url.password !== '') url.password = '***';
  // libpq also takes the password as a parameter (?password=…)
  if (url.searchParams.has('password')) url.searchParams.set('password', '***');
  const masked = url.toString();
  return { reveal: () => full, masked, toString: () => masked, toJSON: () => masked };
}
