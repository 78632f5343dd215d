// No password, token, Authorization or Cookie value ever reaches aux.db: after a run of auth flows, neither the
// `_logs` rows nor the raw bytes of the file (checkpointed at close) hold any of them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestGalley, superuserToken } from '../helpers/test-galley.ts';
import { selfServiceUsers } from '../helpers/users-collection.ts';

const PASSWORD = 'Sup3r-secret-passw0rd';
const NEW_PASSWORD = 'An0ther-secret-passw0rd';
const COOKIE = 'pb_auth=cookie-secret-value-1234567890';

describe('aux.db holds no credentials', () => {
  it('after sign-up, password sign-in, refresh, file token and cookie requests', async () => {
    const t = await startTestGalley([
      selfServiceUsers({ fields: [{ name: 'name', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, protected: true }] }),
    ]);
    const secrets: string[] = [PASSWORD, NEW_PASSWORD, 'cookie-secret-value-1234567890'];
    const root = await superuserToken(t, 'root@example.com', 'Root-secret-passw0rd');
    secrets.push('Root-secret-passw0rd', root);
    const created = await t.call('POST', '/api/collections/users/records', {
      body: { email: 'ann@example.com', password: PASSWORD, passwordConfirm: PASSWORD },
      ip: '10.1.1.1',
    });
    expect(created.status).toBe(200);
    const signedIn = await t.call('POST', '/api/collections/users/auth-with-password', { body: { identity: 'ann@example.com', password: PASSWORD } });
    expect(signedIn.status).toBe(200);
    const token: string = signedIn.json.token;
    secrets.push(token);
    // a wrong password is a logged 400: its value must not be there either
    const wrong = await t.call('POST', '/api/collections/users/auth-with-password', { body: { identity: 'ann@example.com', password: 'Wr0ng-secret-passw0rd' } });
    expect(wrong.status).toBe(400);
    secrets.push('Wr0ng-secret-passw0rd');
    const refreshed = await t.call('POST', '/api/collections/users/auth-refresh', { auth: token });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.json.token);
    const fileToken = await t.call('POST', '/api/files/token', { auth: token });
    expect(fileToken.status).toBe(200);
    secrets.push(fileToken.json.token);
    await t.call('GET', `/api/files/users/${created.json.id}/doc.txt?token=${fileToken.json.token}&thumb=0x0`);
    await t.call('GET', `/api/collections/users/records/${created.json.id}?password=${PASSWORD}&access_token=${token}`, {
      headers: { cookie: COOKIE, authorization: `Bearer ${token}` },
    });
    const changed = await t.call('PATCH', `/api/collections/users/records/${created.json.id}`, {
      auth: token,
      body: { oldPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD },
      headers: { cookie: COOKIE },
    });
    expect(changed.status).toBe(200);
    await t.galley.core.logs.flush();

    const rows = await t.galley.core.logs.auxDb!.db.selectFrom('_logs').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const text = JSON.stringify(rows);
    // the flows are there (so the check below looks at real entries)
    expect(text).toContain('/api/files/users/');
    expect(text).toContain('token=[redacted]');
    expect(text).toContain('auth-with-password');
    const signatures = secrets.filter((s) => s.split('.').length === 3).map((s) => s.split('.')[2]!);
    for (const secret of [...secrets, ...signatures]) expect(text).not.toContain(secret);
    expect(text.toLowerCase()).not.toContain('bearer');

    const file = join(t.dir, 'aux.db');
    await t.galley.close(); // checkpoints the WAL into aux.db
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file).toString('latin1');
    expect(bytes).toContain('auth-with-password'); // the rows are in the file's bytes
    for (const secret of [...secrets, ...signatures]) expect(bytes.includes(secret), `aux.db holds ${secret.slice(0, 12)}…`).toBe(false);
    await t.close().catch(() => {});
  });
});
