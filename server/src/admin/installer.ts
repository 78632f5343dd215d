/**
 * The first-run installer: while no superuser exists, `galley serve` prints a link with a one-time token
 * (`/_/#/install?token=…`) whose page creates the first superuser through `POST /api/galley/installer`.
 * The token lives only in this process's memory (a restart issues a new one), is valid for 30 minutes, is
 * compared in constant time, works once, and is refused as soon as any superuser exists.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Core } from '../core.ts';
import { forbidden, GalleyError, invalid, unauthorized } from '../errors.ts';
import { createRecord } from '../records/create.ts';
import { superuserRequest, SUPERUSERS } from '../rules/request-info.ts';
import { SUPERUSERS_ID } from '../schema/system-collections.ts';

export const INSTALLER_TOKEN_TTL_MS = 30 * 60 * 1000;

export interface Installer {
  /** A new token (the previous one stops working), valid for 30 minutes from now. */
  issueToken(): { token: string; expires: Date };
  /** internal: claim the token for one attempt; `release(ok)` consumes it (ok) or frees it for a retry */
  claim(token: string): { release(ok: boolean): void };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function createInstaller(clock: () => Date): Installer {
  let current: { hash: Buffer; expires: number } | undefined;
  let busy = false;
  const refused = () => unauthorized('The installer link is invalid, used or expired. Restart `galley serve` for a new one, or run `galley superuser upsert EMAIL PASSWORD`.');
  return {
    issueToken() {
      const token = randomBytes(32).toString('base64url');
      const expires = clock().getTime() + INSTALLER_TOKEN_TTL_MS;
      current = { hash: sha256(token), expires };
      return { token, expires: new Date(expires) };
    },
    claim(token) {
      // hashing both sides gives equal lengths, so the comparison takes the same time whatever was sent
      const valid = current !== undefined && timingSafeEqual(sha256(token), current.hash) && clock().getTime() < current.expires;
      if (!valid) throw refused();
      if (busy) throw new GalleyError('rate_limited', 'The first superuser is being created by another request; wait for it.');
      busy = true;
      const claimed = current;
      return {
        release(ok) {
          busy = false;
          if (ok && current === claimed) current = undefined;
        },
      };
    },
  };
}

async function countSuperusers(core: Core): Promise<number> {
  const row = await core.db.read.selectFrom(SUPERUSERS).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** `POST /api/galley/installer` {token, email, password, passwordConfirm} → the created superuser (as the records API shows it). */
export async function installFirstSuperuser(core: Core, installer: Installer, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const token = typeof body['token'] === 'string' ? body['token'] : '';
  if (!token) throw invalid('The installer token is missing: open the link `galley serve` printed.');
  const claim = installer.claim(token);
  let ok = false;
  try {
    // after the token check, so a caller without the link learns nothing; `galley superuser upsert` may have run since
    if ((await countSuperusers(core)) > 0) throw forbidden('A superuser exists already: sign in instead (the installer works only on a new server).');
    const superusers = core.schema.findCollection(SUPERUSERS_ID)!;
    const input = { email: body['email'], password: body['password'], passwordConfirm: body['passwordConfirm'] };
    const created = await createRecord(core, superuserRequest(superusers, 'POST'), SUPERUSERS, input, {});
    ok = true;
    return created;
  } finally {
    claim.release(ok);
  }
}
