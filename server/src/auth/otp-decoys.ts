/**
 * otpIds handed out for emails nobody has, remembered in memory for as long as a real code would live, so an
 * unknown email answers request-otp and auth-with-otp as a real account does (no user enumeration): past 10
 * live ids the newest comes back again, a guess costs a hash check, tries count per "record" and IP (429),
 * and an id dies after 5 wrong guesses.
 */
import type { Core } from '../core.ts';
import { newRecordId } from '../lib/ids.ts';
import type { CollectionModel } from '../schema/model.ts';
import { findSingleColumnUniqueIndex } from '../schema/index-sql.ts';

interface Decoy {
  collectionId: string;
  /** stands in for the record id in the per-record try limit */
  owner: string;
  createdMs: number;
}

/** Bounds the memory a flood of request-otp calls can take; the oldest decoys go first. */
const MAX_DECOYS = 50_000;

const decoysByCore = new WeakMap<Core, Map<string, Decoy>>();

function decoysOf(core: Core): Map<string, Decoy> {
  let map = decoysByCore.get(core);
  if (!map) decoysByCore.set(core, (map = new Map()));
  return map;
}

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
    if (d.owner !== owner || now - d.createdMs > durationSeconds * 1000) continue;
    live++;
    newest = id;
  }
  if (live >= maxLive && newest) return newest;
  const id = newRecordId();
  decoys.set(id, { collectionId: collection.id, owner, createdMs: now });
  if (decoys.size > MAX_DECOYS) decoys.delete(decoys.keys().next().value!);
  return id;
}

/** The live decoy `otpId` of `collection`, or undefined (unknown, another collection's, or expired). */
export function findDecoyOtp(core: Core, collection: CollectionModel, otpId: string, durationSeconds: number): { owner: string } | undefined {
  const decoys = decoysOf(core);
  const d = decoys.get(otpId);
  if (!d || d.collectionId !== collection.id) return undefined;
  if (core.clock().getTime() - d.createdMs > durationSeconds * 1000) {
    decoys.delete(otpId);
    return undefined;
  }
  return { owner: d.owner };
}

export function forgetDecoyOtp(core: Core, otpId: string): void {
  decoysOf(core).delete(otpId);
}
