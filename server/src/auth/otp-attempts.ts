/**
 * Guessing limits for OTP codes, in memory per app (they restart with the process, as PocketBase's do):
 * - wire: PocketBase's own limit, always on whatever the rate-limit settings say: 5 tries per record and
 *   client IP within 180 s, then 429;
 * - Galley: 5 wrong tries per code, from any IP, and the code is deleted (a fresh code must be requested).
 */
import type { Core } from '../core.ts';

export const OTP_TRIES_PER_RECORD_IP = 5;
export const OTP_TRIES_WINDOW_SECONDS = 180;
export const OTP_WRONG_TRIES_PER_CODE = 5;

/** One Galley's OTP try counts (held as `core.otpAttempts`). */
export interface OtpAttempts {
  readonly windows: Map<string, { start: number; used: number }>;
  readonly wrong: Map<string, { count: number; at: number }>;
}

export function createOtpAttempts(): OtpAttempts {
  return { windows: new Map(), wrong: new Map() };
}

const stateOf = (core: Core): OtpAttempts => core.otpAttempts;

function sweep<V>(map: Map<string, V>, isOld: (v: V) => boolean): void {
  if (map.size > 10_000) for (const [k, v] of map) if (isOld(v)) map.delete(k);
}

/** Counts one try for the record from this IP; false once the window's 5 are used. */
export function takeOtpTry(core: Core, recordId: string, ip: string): boolean {
  const { windows } = stateOf(core);
  const now = core.clock().getTime();
  const span = OTP_TRIES_WINDOW_SECONDS * 1000;
  sweep(windows, (w) => now - w.start >= span);
  const key = `${ip}|${recordId}`;
  let window = windows.get(key);
  if (!window || now - window.start >= span) windows.set(key, (window = { start: now, used: 0 }));
  if (window.used >= OTP_TRIES_PER_RECORD_IP) return false;
  window.used++;
  return true;
}

/** Notes a wrong code; true when the code has now used up its tries and must be deleted. */
export function noteWrongOtp(core: Core, otpId: string): boolean {
  const { wrong } = stateOf(core);
  const now = core.clock().getTime();
  sweep(wrong, (w) => now - w.at >= 86_400_000);
  const count = (wrong.get(otpId)?.count ?? 0) + 1;
  if (count >= OTP_WRONG_TRIES_PER_CODE) {
    wrong.delete(otpId);
    return true;
  }
  wrong.set(otpId, { count, at: now });
  return false;
}

export function forgetOtpTries(core: Core, otpId: string): void {
  core.otpAttempts.wrong.delete(otpId);
}
