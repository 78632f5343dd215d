// Auth alerts: each login's origin (md5 of client IP + user agent) is kept in _authOrigins; a login from a new
// origin by a record that has logged in before mails the login-alert template; at most 5 origins per record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrigin } from '../../src/auth/auth-alert.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { startAuthGalley, type AuthTestGalley } from './harness.ts';
import { smtpSettings, startTestSmtp, type TestSmtp } from './smtp.ts';

const alertTemplate = { subject: 'New login to {APP_NAME}', body: '<p>Seen: {ALERT_INFO} for {RECORD:email}</p>' };
const schema = [
  { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', authAlert: { enabled: true, emailTemplate: alertTemplate }, fields: [] },
  { name: 'quiet', type: 'auth', createRule: '', authAlert: { enabled: false }, fields: [] },
];

let t: AuthTestGalley;
let smtp: TestSmtp;
let root = '';

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startAuthGalley(schema, { settings: { ...smtpSettings(smtp), meta: { appName: 'Alerts' } } });
  root = await superuserToken(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const settle = () => new Promise((r) => setTimeout(r, 300));

async function createUser(email: string, collection = 'users'): Promise<string> {
  const res = await t.call('POST', `/api/collections/${collection}/records`, { body: { email, password: 'password123', passwordConfirm: 'password123' } });
  if (res.status !== 200) throw new Error(res.text);
  return res.json.id;
}

async function login(email: string, ip: string, agent: string, collection = 'users') {
  const res = await t.call('POST', `/api/collections/${collection}/auth-with-password`, {
    body: { identity: email, password: 'password123' },
    ip,
    headers: { 'user-agent': agent },
  });
  expect(res.status, res.text).toBe(200);
  return res.json.token as string;
}

const origins = async (recordId: string) =>
  (await t.galley.core.db.read.selectFrom('_authOrigins').selectAll().where('recordRef', '=', recordId).execute()) as Array<Record<string, unknown>>;
const alertsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email) && m.subject === 'New login to Alerts');

describe('auth alerts', () => {
  it('the first login records its origin and mails nothing; the same origin again mails nothing', async () => {
    const id = await createUser('ann@example.com');
    await login('ann@example.com', '10.1.0.1', 'Firefox/1');
    await login('ann@example.com', '10.1.0.1', 'Firefox/1');
    await settle();
    expect(alertsTo('ann@example.com')).toHaveLength(0);
    const rows = await origins(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!['fingerprint']).toBe(fingerprintOrigin('10.1.0.1', 'Firefox/1').fingerprint);
  });

  it('a new user agent or a new IP mails the alert with the date, IP and agent', async () => {
    const id = await createUser('bea@example.com');
    await login('bea@example.com', '10.2.0.1', 'Firefox/1');
    await login('bea@example.com', '10.2.0.1', 'Chrome/2');
    const mail = await smtp.waitFor((m) => m.to.includes('bea@example.com') && m.html.includes('Chrome/2'));
    expect(mail.html).toMatch(/Seen: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z - 10\.2\.0\.1 Chrome\/2 for bea@example\.com/);
    await login('bea@example.com', '10.2.0.2', 'Chrome/2');
    await smtp.waitFor((m) => m.to.includes('bea@example.com') && m.html.includes('10.2.0.2 Chrome/2'));
    await settle();
    expect(alertsTo('bea@example.com')).toHaveLength(2);
    expect(await origins(id)).toHaveLength(3);
  });

  it('keeps at most 5 origins, dropping the least recently used', async () => {
    const id = await createUser('cid@example.com');
    for (let i = 1; i <= 7; i++) await login('cid@example.com', '10.3.0.1', `Agent/${i}`);
    const kept = (await origins(id)).map((r) => r['fingerprint']);
    expect(kept).toHaveLength(5);
    expect(kept).toContain(fingerprintOrigin('10.3.0.1', 'Agent/7').fingerprint);
    expect(kept).not.toContain(fingerprintOrigin('10.3.0.1', 'Agent/1').fingerprint);
  });

  it('authAlert off: no origins kept and no mail', async () => {
    const id = await createUser('quiet@example.com', 'quiet');
    await login('quiet@example.com', '10.4.0.1', 'A', 'quiet');
    await login('quiet@example.com', '10.4.0.2', 'B', 'quiet');
    await settle();
    expect(await origins(id)).toHaveLength(0);
    expect(smtp.mails.filter((m) => m.to.includes('quiet@example.com'))).toHaveLength(0);
  });

  it('refresh and impersonation record no origin', async () => {
    const id = await createUser('dan@example.com');
    const token = await login('dan@example.com', '10.5.0.1', 'A');
    await t.call('POST', '/api/collections/users/auth-refresh', { auth: token, ip: '10.5.0.9', headers: { 'user-agent': 'Z' } });
    await t.call('POST', `/api/collections/users/impersonate/${id}`, { body: {}, auth: root, ip: '10.5.0.8' });
    expect(await origins(id)).toHaveLength(1);
  });

  it('owners list and delete their own origins; others see none', async () => {
    const eve = await createUser('eve@example.com');
    const eveToken = await login('eve@example.com', '10.6.0.1', 'A');
    await createUser('fay@example.com');
    const fayToken = await login('fay@example.com', '10.6.0.2', 'B');
    const [row] = await origins(eve);
    const own = await t.call('GET', '/api/collections/_authOrigins/records', { auth: eveToken });
    expect(own.json.items.map((r: { id: string }) => r.id)).toEqual([row!['id']]);
    const others = await t.call('GET', '/api/collections/_authOrigins/records', { auth: fayToken });
    expect(others.text).not.toContain(String(row!['id']));
    expect((await t.call('DELETE', `/api/collections/_authOrigins/records/${row!['id']}`, { auth: fayToken })).status).toBe(404);
    expect((await t.call('GET', '/api/collections/_authOrigins/records')).json.totalItems).toBe(0);
    expect((await t.call('DELETE', `/api/collections/_authOrigins/records/${row!['id']}`, { auth: eveToken })).status).toBe(204);
    expect(await origins(eve)).toHaveLength(0);
  });
});
