// HooksApp's per-method auth request hooks typed from the schema (checked by sdk/test/types.test.ts's tsc run).
import type { HooksApp } from '../src/index.ts';
import schema from './blog.schema.ts';

export default (app: HooksApp<typeof schema>) => {
  app.onRecordAuthWithPasswordRequest(async (e) => {
    const name: string | undefined = e.record?.get('name');
    if (e.identityField === '' && name === 'blocked') throw new app.ForbiddenError('Blocked.');
    e.identity = e.identity.toLowerCase();
    await e.next();
  }, 'users');
  // @ts-expect-error posts is not an auth collection
  app.onRecordAuthWithPasswordRequest(async (e) => e.next(), 'posts');
  app.onRecordRequestOTPRequest(async (e) => {
    // @ts-expect-error the record may be null (an unknown email)
    void e.record.id;
    const code: string = e.password;
    if (code) await e.next();
  });
  app.onRecordAuthWithOTPRequest(async (e) => {
    const sentTo: string = e.otp.get('sentTo');
    if (sentTo === e.record.email) await e.next();
  });
  app.onRecordAuthWithOAuth2Request(async (e) => {
    const isNew: boolean = e.isNewRecord;
    if (isNew) e.createData['name'] = e.oauth2User.name;
    if (e.providerName === 'github' && e.record === null && !isNew) return e.json(400, { nope: true });
    await e.next();
  }, 'users');
  app.onRecordRequestPasswordResetRequest(async (e) => {
    const email: string | undefined = e.record.email;
    if (email) await e.next();
  });
  app.onRecordConfirmEmailChangeRequest(async (e) => {
    if (e.newEmail.endsWith('@example.com')) await e.next();
  });
};
