import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { createInstaller, INSTALLER_TOKEN_TTL_MS } from './installer.ts';

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GalleyError ? err.kind : 'not a GalleyError';
  }
  return undefined;
}

describe('the installer token', () => {
  it('is valid for 30 minutes from its issue, then refused', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const installer = createInstaller(() => new Date(now));
    const { token, expires } = installer.issueToken();
    expect(expires.getTime() - now).toBe(INSTALLER_TOKEN_TTL_MS);
    now += INSTALLER_TOKEN_TTL_MS - 1;
    installer.claim(token).release(false);
    now += 1;
    expect(kindOf(() => installer.claim(token))).toBe('unauthorized');
  });

  it('works once: a successful use consumes it, a failed one leaves it for a retry', () => {
    const installer = createInstaller(() => new Date());
    const { token } = installer.issueToken();
    installer.claim(token).release(false);
    installer.claim(token).release(true);
    expect(kindOf(() => installer.claim(token))).toBe('unauthorized');
  });

  it('holds one attempt at a time, refuses other strings and tokens replaced by a newer one', () => {
    const installer = createInstaller(() => new Date());
    expect(kindOf(() => installer.claim('anything'))).toBe('unauthorized'); // none issued yet
    const first = installer.issueToken().token;
    const claim = installer.claim(first);
    expect(kindOf(() => installer.claim(first))).toBe('rate_limited');
    claim.release(false);
    expect(kindOf(() => installer.claim(first.slice(0, -1)))).toBe('unauthorized');
    expect(kindOf(() => installer.claim(''))).toBe('unauthorized');
    const second = installer.issueToken().token;
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[\w-]{43}$/); // 32 random bytes, base64url
    expect(kindOf(() => installer.claim(first))).toBe('unauthorized');
    installer.claim(second).release(false);
  });
});
