// OTP flows must not tell an attacker whether an email has an account: an unknown email's otpIds answer
// request-otp and auth-with-otp exactly as a real account's do (same ids past 10 live codes, same 400s, same 429).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDecoyOtpStored } from '../../src/auth/otp-decoys.ts';
import { signUp } from '../helpers/test-galley.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from './smtp.ts';

let t: AuthTestGalley;
let smtp: TestSmtp;
const users = '/api/collections/users';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley([selfServiceUsers({ otp: { enabled: true } })], { settings: smtpSettings(smtp) });
  await signUp(t, 'users', { email: 'real@example.com' });
  await signUp(t, 'users', { email: 'real2@example.com' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const post = (path: string, body: unknown, ip = '10.1.0.1') => t.call('POST', path, { body, ip });

/** Until the code is stored: a real one's row, a decoy's stand-in (an attacker would simply wait a moment). */
async function waitForCode(otpId: string): Promise<void> {
  const read = t.galley.core.db.read;
  const stored = async () => isDecoyOtpStored(t.galley.core, otpId) || (await read.selectFrom('_otps').select('id').where('id', '=', otpId).executeTakeFirst()) !== undefined;
  while (!(await stored())) await new Promise((r) => setTimeout(r, 10));
}

/** Request a code and wait until it is stored. */
let requests = 0;
async function requestOtp(email: string): Promise<string> {
  // from a new address each time: the requestOTP rate limit (5 a minute per IP) only slows an attacker down
  const res = await post(`${users}/request-otp`, { email }, `10.2.${++requests}.1`);
  expect(res.status).toBe(200);
  const otpId = res.json.otpId as string;
  await waitForCode(otpId);
  return otpId;
}

/** What an attacker sees of one email: does the 11th request repeat the 10th id, and the statuses of a guessing run. */
async function observe(email: string, ip: string): Promise<{ repeats: boolean; statuses: number[] }> {
  const ids: string[] = [];
  for (let i = 0; i < 11; i++) ids.push(await requestOtp(email));
  const statuses: number[] = [];
  // 5 wrong guesses on one code (it dies), one more on it, then one on another code of the same email
  for (let i = 0; i < 6; i++) statuses.push((await post(`${users}/auth-with-otp`, { otpId: ids[0], password: '1' }, ip)).status);
  statuses.push((await post(`${users}/auth-with-otp`, { otpId: ids[1], password: '1' }, ip)).status);
  return { repeats: ids[10] === ids[9], statuses };
}

describe('OTP answers do not reveal whether an email has an account', () => {
  it('an unknown email behaves as a real one through request-otp and auth-with-otp', async () => {
    const real = await observe('real@example.com', '10.1.0.1');
    const ghost = await observe('ghost@example.com', '10.1.0.2');
    // wire: a real account past 10 live codes gets its newest id again; 5 tries per record and IP, then 429
    expect(real).toEqual({ repeats: true, statuses: [400, 400, 400, 400, 400, 400, 429] });
    expect(ghost).toEqual(real);
    // 22 codes and 14 tries, each an argon2 hash: seconds unloaded, more than the default 20 s on 2 loaded cores
  }, 60_000);

  it('a decoy otpId is refused as a real code guessed wrong, and means nothing to another collection', async () => {
    const ghostId = await requestOtp('ghost2@example.com');
    await waitForCode(ghostId);
    const res = await post('/api/collections/_superusers/auth-with-otp', { otpId: ghostId, password: '1' });
    expect(res.status).not.toBe(500);
    const other = await post(`${users}/auth-with-otp`, { otpId: ghostId, password: '12345678' }, '10.1.0.3');
    expect([other.status, other.json.message]).toEqual([400, 'Invalid or expired OTP.']);
  });
});
