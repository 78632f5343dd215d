// backups.s3: with the bucket enabled (PocketBase's settings), pb.backups.* keeps archives in a real S3 server
// (s3rver on 127.0.0.1), none in <dir>/backups: create, list, download with a file token, upload, restore from
// the bucket (the @pre_restore_ archive of the data it replaced goes to the bucket too), delete.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts';
import { rejectionOf } from '../helpers/sdk-rejection.ts';
import { BACKUP_SCHEMA, createDoc, tempDir } from './fixtures.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
let s3: TestS3;
let dir = '';
let galley: Galley;
let root: PocketBase;

const call = (method: string, path: string, opts: { body?: unknown; auth?: string | null } = {}) => callGalley(galley, method, path, opts);
const localArchives = () => (existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).filter((n) => n.endsWith('.tar.gz')) : []);

beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket('backups');
  dir = tempDir('backups-s3');
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  galley = await createGalley({ dir, schema: BACKUP_SCHEMA, env: {}, logger: createTestLogger(), settings: { rateLimits: { enabled: false } } as never });
  const { url } = await galley.listen('127.0.0.1:0');
  root = new PocketBase(url);
  root.autoCancellation(false);
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  await root.settings.update({ backups: { s3: { ...s3.options, bucket: 'backups', enabled: true } } });
}, 30_000);

afterAll(async () => {
  await galley.close();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('backups kept on S3', () => {
  let kept: { id: string; doc: string };

  it('the secret is never read back', async () => {
    const settings = (await root.settings.getAll()) as { backups: { s3: Record<string, unknown> } };
    expect(settings.backups.s3['enabled']).toBe(true);
    expect(settings.backups.s3).not.toHaveProperty('secret');
  });

  it('create puts the archive in the bucket, not in <dir>/backups', async () => {
    kept = await createDoc((m, p, o) => call(m, p, { ...o, auth: root.authStore.token }), 'kept');
    expect(await root.backups.create('remote.tar.gz')).toBe(true);
    expect((await root.backups.getFullList()).map((b) => b.key)).toEqual(['remote.tar.gz']);
    expect(localArchives()).toEqual([]);
    expect(readdirSync(join(dir, 'backups')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('downloads from the bucket with a superuser file token', async () => {
    const res = await fetch(root.backups.getDownloadURL(await root.files.getToken(), 'remote.tar.gz'));
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const form = new FormData();
    form.set('file', new File([bytes], 'copy.tar.gz'));
    expect(await root.backups.upload(form)).toBe(true);
    expect((await root.backups.getFullList()).map((b) => b.key).sort()).toEqual(['copy.tar.gz', 'remote.tar.gz']);
    expect(localArchives()).toEqual([]);
  });

  it('restores from the bucket', async () => {
    expect((await call('DELETE', `/api/collections/docs/records/${kept.id}`)).status).toBe(204);
    expect(await root.backups.restore('copy.tar.gz')).toBe(true);
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const health = await call('GET', '/api/health', { auth: root.authStore.token });
      if (health.status === 200 && health.json.data.canBackup) break;
    }
    expect((await call('GET', `/api/collections/docs/records/${kept.id}`)).status).toBe(200);
    // the data it replaced is kept with the other backups: in the bucket (listed, restorable), not on local disk
    const preRestore = (await root.backups.getFullList()).map((b) => b.key).filter((k) => k.startsWith('@pre_restore_'));
    expect(preRestore).toHaveLength(1);
    expect(localArchives()).toEqual([]);
    const res = await fetch(root.backups.getDownloadURL(await root.files.getToken(), preRestore[0]!));
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([res.status, bytes[0], bytes[1]]).toEqual([200, 0x1f, 0x8b]);
  });

  it('deletes from the bucket; a second delete is a 400', async () => {
    expect(await root.backups.delete('copy.tar.gz')).toBe(true);
    expect((await rejectionOf(root.backups.delete('copy.tar.gz'))).status).toBe(400);
    expect((await root.backups.getFullList()).map((b) => b.key).filter((k) => !k.startsWith('@pre_restore_'))).toEqual(['remote.tar.gz']);
  });
});
