/**
 * wire: PocketBase sends at most one verification / password-reset mail per record every 2 minutes; later
 * requests still answer 204 (nothing tells a caller whether a mail went out). Kept in memory per app.
 */
import type { Core } from '../core.ts';

export const RESEND_INTERVAL_MS = 2 * 60 * 1000;

/** One Galley's "mail sent until" times per record and flow (held as `core.resendThrottle`). */
export type ResendThrottle = Map<string, number>;

export function createResendThrottle(): ResendThrottle {
  return new Map();
}

const storeOf = (core: Core): ResendThrottle => core.resendThrottle;

export function throttleKey(flow: 'verification' | 'passwordReset', collectionId: string, recordId: string): string {
  return `${flow}:${collectionId}:${recordId}`;
}

/** Claims the right to send now: false while a mail of this kind went to this record less than 2 minutes ago. */
export function claimResendSlot(core: Core, key: string): boolean {
  const store = storeOf(core);
  const now = core.clock().getTime();
  const until = store.get(key);
  if (until !== undefined && until > now) return false;
  if (store.size > 10_000) for (const [k, t] of store) if (t <= now) store.delete(k);
  store.set(key, now + RESEND_INTERVAL_MS);
  return true;
}

/** The flow completed: the next request may send again at once. */
export function releaseResendSlot(core: Core, key: string): void {
  core.resendThrottle.delete(key);
}

/** A request hook that refused or answered itself sent no mail: the window `send` claimed is given back. */
export async function releaseSlotUnlessSent(core: Core, key: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    releaseResendSlot(core, key);
    throw err;
  }
}
