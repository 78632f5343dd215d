// The official pocketbase SDK, unchanged, through Galley's own listener: sign-up → verification mail → confirm →
// login → refresh → password reset by mail (old tokens die) → email change by mail → impersonate.
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superuserToken } from '../helpers/test-galley.ts';
import { authSchema, startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, tokenFromMail, type TestSmtp } from './smtp.ts';

let t: AuthTestGalley;
let smtp: TestSmtp;
let url = '';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(authSchema(), { settings: smtpSettings(smtp) });
  await superuserToken(t);
  ({ url } = await t.galley.listen('127.0.0.1:0'));
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('pocketbase SDK auth flows', () => {
  it('runs the whole mail-driven life of an account', async () => {
    const pb = new PocketBase(url);
    const users = pb.collection('users');
    const created = await users.create({ email: 'sdk@example.com', password: 'password123', passwordConfirm: 'password123', name: 'S' });
    expect(created['verified']).toBe(false);

    expect(await users.requestVerification('sdk@example.com')).toBe(true);
    const verifyMail = await smtp.waitFor((m) => m.to.includes('sdk@example.com') && /Verify/.test(m.subject));
    expect(await users.confirmVerification(tokenFromMail(verifyMail, 'confirm-verification'))).toBe(true);

    const auth = await users.authWithPassword('sdk@example.com', 'password123');
    expect(auth.record['verified']).toBe(true);
    expect(pb.authStore.isValid).toBe(true);
    const refreshed = await users.authRefresh();
    expect(refreshed.record.id).toBe(created.id);
    const oldToken = pb.authStore.token;

    expect(await users.requestPasswordReset('sdk@example.com')).toBe(true);
    const resetMail = await smtp.waitFor((m) => m.to.includes('sdk@example.com') && /Reset/.test(m.subject));
    expect(await users.confirmPasswordReset(tokenFromMail(resetMail, 'confirm-password-reset'), 'brand-new-pass', 'brand-new-pass')).toBe(true);
    await expect(users.authRefresh()).rejects.toMatchObject({ status: 401 });
    const stale = new PocketBase(url);
    stale.authStore.save(oldToken, null);
    await expect(stale.collection('users').getOne(created.id)).rejects.toMatchObject({ status: 404 });

    await users.authWithPassword('sdk@example.com', 'brand-new-pass');
    expect(await users.requestEmailChange('sdk-new@example.com')).toBe(true);
    const changeMail = await smtp.waitFor((m) => m.to.includes('sdk-new@example.com'));
    expect(await users.confirmEmailChange(tokenFromMail(changeMail, 'confirm-email-change'), 'brand-new-pass')).toBe(true);
    // wire: the SDK clears its store when the confirmed token is its own record's
    expect(pb.authStore.isValid).toBe(false);
    const again = await users.authWithPassword('sdk-new@example.com', 'brand-new-pass');
    expect(again.record['email']).toBe('sdk-new@example.com');

    const admin = new PocketBase(url);
    await admin.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    const as = await admin.collection('users').impersonate(created.id, 3600);
    expect(as.authStore.record?.id).toBe(created.id);
    expect((await as.collection('users').getOne(created.id))['email']).toBe('sdk-new@example.com');
  });
});
