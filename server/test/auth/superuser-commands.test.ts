// `galley superuser upsert|delete` (auth/superusers.ts) write through the record-write pipeline from their own
// connection: a new password turns the tokenKey over and ends the record's login origins; a delete takes its
// auth refs along.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteSuperuser, upsertSuperuser } from '../../src/index.ts';
import { startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

let t: TestGalley;
beforeAll(async () => {
  t = await startTestGalley({ collections: [] });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const origins = async () => t.galley.core.db.read.selectFrom('_authOrigins').select(['id', 'recordRef']).execute();
const signIn = (password: string) =>
  t.call('POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'cli@example.com', password } });

describe('superuser commands', () => {
  it('upsert creates, then a new password kills old tokens and origins; delete removes the record and its refs', async () => {
    const token = await superuserToken(t, 'cli@example.com', 'firstpass123');
    expect(await origins()).toHaveLength(1); // the sign-in's origin (authAlert is on for _superusers)
    expect((await t.call('GET', '/api/collections/_superusers/records', { auth: token })).status).toBe(200);

    expect(await upsertSuperuser({ dir: t.dir, database: t.database }, 'cli@example.com', 'secondpass123')).toBe('updated');
    expect((await t.call('GET', '/api/collections/_superusers/records', { auth: token })).status).toBe(403); // the old token no longer authenticates: a guest's answer
    expect(await origins()).toEqual([]);
    expect((await signIn('secondpass123')).status).toBe(200);
    expect(await origins()).toHaveLength(1);

    expect(await deleteSuperuser({ dir: t.dir, database: t.database }, 'cli@example.com')).toBe(true);
    expect(await origins()).toEqual([]);
    expect((await signIn('secondpass123')).status).toBe(400);
    expect(await deleteSuperuser({ dir: t.dir, database: t.database }, 'cli@example.com')).toBe(false);
  });
});
