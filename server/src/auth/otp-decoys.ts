/**
 * otpIds handed out for emails nobody has, remembered in memory for as long as a real code would live, so an
 * unknown email answers request-otp and auth-with-otp as a real account does (no user enumeration): a decoy
 * counts only once its code is "stored" (after the same hashing a real code gets, off the answer's path), past
 * 10 live ids the newest comes back again, a guess costs a hash check, tries count per "record" and IP (429),
 * and an id dies after 5 wrong guesses.
 */
import type { Core } from '../core.ts';
import { newRecordId, randomString } from '../lib/ids.ts';
import { hashPassword } from '../lib/password-hash.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';

export interface Decoy {
  collectionId: string;
  /** stands in for the record id in the per-record try limit */
  owner: string;
  /** when its stand-in code was "stored"; undefined while it is being hashed, as a real code's row is not there yet */
  createdMs: number | undefined;
}

/** Bounds the memory a flood of request-otp calls can take; the oldest decoys go first. */
const MAX_DECOYS = 50_000;

/** One Galley's decoy otpIds (held as `core.otpDecoys`). */
export type OtpDecoys = Map<string, Decoy>;

export function createOtpDecoys(): OtpDecoys {
  return new Map();
}

const decoysOf = (core: Core): OtpDecoys => core.otpDecoys;

/** The email as the record lookup compares it (lower-cased only when the email index is NOCASE). */
function ownerKey(collection: CollectionModel, email: string): string {
  const nocase = findSingleColumnUniqueIndex(collection.indexes, 'email')?.columns[0]?.collate.toLowerCase() === 'nocase';
  return `decoy:${collection.id}:${nocase ? email.toLowerCase() : email}`;
}

/** The otpId to answer an unknown email with: a new one, or (past `maxLive` live ones) the newest again. */
export function issueDecoyOtpId(core: Core, collection: CollectionModel, email: string, durationSeconds: number, maxLive: number): string {
  const decoys = decoysOf(core);
  const now = core.clock().getTime();
  const owner = ownerKey(collection, email);
  let live = 0;
  let newest: string | undefined;
  for (const [id, d] of decoys) {
    if (d.owner !== owner || d.createdMs === undefined || now - d.createdMs > durationSeconds * 1000) continue;
    live++;
    newest = id;
  }
  if (live >= maxLive && newest) return newest;
  const id = newRecordId();
  const decoy: Decoy = { collectionId: collection.id, owner, createdMs: undefined };
  decoys.set(id, decoy);
  if (decoys.size > MAX_DECOYS) decoys.delete(decoys.keys().next().value!);
  // the same work a real code costs after the answer (otp-request.ts issueOtpLater), then it counts
  setTimeout(() => {
    void hashPassword(randomString(8, '0123456789')).then(
      () => void (decoy.createdMs = core.clock().getTime()),
      () => decoys.delete(id),
    );
  }, 0);
  return id;
}

/** The live decoy `otpId` of `collection`, or undefined (unknown, another collection's, or expired). */
export function findDecoyOtp(core: Core, collection: CollectionModel, otpId: string, durationSeconds: number): { owner: string } | undefined {
  const decoys = decoysOf(core);
  const d = decoys.get(otpId);
  if (!d || d.collectionId !== collection.id || d.createdMs === undefined) return undefined;
  if (core.clock().getTime() - d.createdMs > durationSeconds * 1000) {
    decoys.delete(otpId);
    return undefined;
  }
  return { owner: d.owner };
}

export function forgetDecoyOtp(core: Core, otpId: string): void {
  decoysOf(core).delete(otpId);
}

/** Whether a decoy's stand-in code counts yet (tests wait for it as they wait for a real code's row). */
export function isDecoyOtpStored(core: Core, otpId: string): boolean {
  return decoysOf(core).get(otpId)?.createdMs !== undefined;
}
