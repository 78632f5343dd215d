// S3 storage end to end against a real s3rver on 127.0.0.1: switched on by GALLEY_S3_* or by PATCH
// /api/settings (secret never read back), files served from the bucket, POST /api/settings/test/s3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettingsEnv } from '../../src/admin/settings-store.ts';
import { createS3Storage } from '../../src/lib/storage/s3.ts';
import { startS3rver, type TestS3 } from '../helpers/s3rver.ts';
import { superuserToken } from '../helpers/test-galley.ts';
import { makeImage, readImageDimensions, startFilesGalley, type FilesGalley } from './harness.ts';
import { filesSchema } from './schema.ts';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket('galley-env');
  await s3.createBucket('galley-patch');
});
afterAll(() => s3?.stop());

const envFor = (bucket: string) => ({
  GALLEY_S3_BUCKET: bucket,
  GALLEY_S3_REGION: s3.options.region,
  GALLEY_S3_ENDPOINT: s3.options.endpoint,
  GALLEY_S3_ACCESS_KEY: s3.options.accessKey,
  GALLEY_S3_SECRET: s3.options.secret,
  GALLEY_S3_FORCE_PATH_STYLE: 'true',
});

async function bucketKeys(bucket: string, prefix = ''): Promise<string[]> {
  const storage = createS3Storage({ ...s3.options, bucket });
  const keys: string[] = [];
  for await (const info of storage.list(prefix)) keys.push(info.key);
  storage.destroy();
  return keys.sort();
}

describe('S3 switched on from the environment', () => {
  let t: FilesGalley;
  let id: string;
  let folder: string;
  beforeAll(async () => {
    t = await startFilesGalley(filesSchema(), { env: envFor('galley-env') });
    id = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'on s3' } })).json.id;
    folder = `${t.galley.core.schema.findCollection('docs')!.id}/${id}`;
    await t.addFile('docs', id, 'files', 'ten.txt', '0123456789');
    await t.addFile('docs', id, 'files', 'pic.png', await makeImage(80, 40));
  });
  afterAll(() => t.close());

  it('stores file bytes in the bucket (GALLEY_S3_BUCKET alone turns S3 on)', async () => {
    expect(t.galley.core.storage.kind).toBe('s3');
    expect(await bucketKeys('galley-env', folder)).toEqual([`${folder}/pic.png`, `${folder}/ten.txt`]);
  });

  it('serves them with ranges and validators', async () => {
    const whole = await t.fetchFile(`/api/files/docs/${id}/ten.txt`);
    expect(whole.status).toBe(200);
    expect(whole.text).toBe('0123456789');
    const part = await t.fetchFile(`/api/files/docs/${id}/ten.txt`, { headers: { range: 'bytes=3-5' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('345');
    expect(part.headers.get('content-range')).toBe('bytes 3-5/10');
    expect((await t.fetchFile(`/api/files/docs/${id}/ten.txt`, { headers: { 'if-none-match': whole.headers.get('etag')! } })).status).toBe(304);
    expect((await t.fetchFile(`/api/files/docs/${id}/ten.txt`, { headers: { range: 'bytes=10-' } })).status).toBe(416);
  });

  it('makes thumbs into the bucket', async () => {
    const res = await t.fetchFile(`/api/files/docs/${id}/pic.png?thumb=100x100`);
    expect(res.status).toBe(200);
    expect(await readImageDimensions(res.bytes)).toEqual({ width: 100, height: 100 });
    expect(await bucketKeys('galley-env', `${folder}/thumbs_`)).toEqual([`${folder}/thumbs_pic.png/100x100_pic.png`]);
  });

  it('reports the S3 settings without the secret', async () => {
    const root = await superuserToken(t);
    const res = await t.call('GET', '/api/settings', { auth: root });
    expect(res.json.s3).toEqual({
      enabled: true,
      bucket: 'galley-env',
      region: s3.options.region,
      endpoint: s3.options.endpoint,
      accessKey: s3.options.accessKey,
      forcePathStyle: true,
    });
    expect(res.text).not.toContain(`"secret"`);
  });
});

describe('S3 switched on and off through /api/settings', () => {
  let t: FilesGalley;
  let root: string;
  beforeAll(async () => {
    t = await startFilesGalley(filesSchema());
    root = await superuserToken(t);
  });
  afterAll(() => t.close());

  it('moves new files to the bucket and back, keeping the secret when a PATCH leaves it out', async () => {
    expect(t.galley.core.storage.kind).toBe('local');
    const on = await t.call('PATCH', '/api/settings', {
      auth: root,
      body: { s3: { enabled: true, bucket: 'galley-patch', region: s3.options.region, endpoint: s3.options.endpoint, accessKey: s3.options.accessKey, secret: s3.options.secret, forcePathStyle: true } },
    });
    expect(on.status).toBe(200);
    expect(on.json.s3.secret).toBeUndefined();
    expect(t.galley.core.storage.kind).toBe('s3');

    const id = (await t.call('POST', '/api/collections/docs/records', { body: { title: 'patched' } })).json.id;
    await t.addFile('docs', id, 'files', 'a.txt', 'in the bucket');
    expect((await bucketKeys('galley-patch')).some((k) => k.endsWith(`/${id}/a.txt`))).toBe(true);
    expect((await t.fetchFile(`/api/files/docs/${id}/a.txt`)).text).toBe('in the bucket');

    // a PATCH that does not send the secret keeps the stored one (the dashboard never has it)
    const renamed = await t.call('PATCH', '/api/settings', { auth: root, body: { s3: { region: 'eu-west-1' } } });
    expect(renamed.status).toBe(200);
    expect(t.galley.core.settings.current().s3.secret).toBe(s3.options.secret);
    expect((await t.call('POST', '/api/settings/test/s3', { auth: root, body: { filesystem: 'storage' } })).status).toBe(204);

    const off = await t.call('PATCH', '/api/settings', { auth: root, body: { s3: { enabled: false } } });
    expect(off.status).toBe(200);
    expect(t.galley.core.storage.kind).toBe('local');
  });

  it('refuses to switch S3 on with a field missing', async () => {
    const res = await t.call('PATCH', '/api/settings', { auth: root, body: { s3: { enabled: true, bucket: '', secret: '' } } });
    expect(res.status).toBe(400);
    expect(res.json.data.s3.bucket.code).toBe('validation_required');
    expect(t.galley.core.storage.kind).toBe('local');
  });
});

describe('POST /api/settings/test/s3', () => {
  let t: FilesGalley;
  let root: string;
  beforeAll(async () => {
    t = await startFilesGalley(filesSchema(), { env: envFor('galley-env') });
    root = await superuserToken(t);
  });
  afterAll(() => t.close());

  it('uploads and deletes a test object, leaving nothing behind', async () => {
    const before = await bucketKeys('galley-env', 'pb_settings_test_');
    const res = await t.call('POST', '/api/settings/test/s3', { auth: root, body: { filesystem: 'storage' } });
    expect(res.status).toBe(204);
    expect(await bucketKeys('galley-env', 'pb_settings_test_')).toEqual(before);
  });

  it.each([
    { name: 'no filesystem', body: {}, data: { filesystem: { code: 'validation_required', message: 'Cannot be blank.' } } },
    { name: 'an unknown filesystem', body: { filesystem: 'photos' }, data: { filesystem: { code: 'validation_in_invalid', message: 'Must be a valid value.' } } },
  ])('answers 400 with the field error for $name', async ({ body, data }) => {
    const res = await t.call('POST', '/api/settings/test/s3', { auth: root, body });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ status: 400, message: 'Failed to test the S3 filesystem.', data });
  });

  it('answers 400 when the chosen filesystem is not on S3', async () => {
    const res = await t.call('POST', '/api/settings/test/s3', { auth: root, body: { filesystem: 'backups' } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Failed to test the S3 filesystem. Raw error: \nS3 storage filesystem is not enabled.');
  });

  it('answers 400 quoting the driver when the bucket does not exist', async () => {
    const patch = await t.call('PATCH', '/api/settings', { auth: root, body: { s3: { bucket: 'no-such-bucket' } } });
    expect(patch.status).toBe(200);
    const res = await t.call('POST', '/api/settings/test/s3', { auth: root, body: { filesystem: 'storage' } });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Failed to test the S3 filesystem\. Raw error: \n./);
  });

  it('is for superusers only', async () => {
    expect((await t.call('POST', '/api/settings/test/s3', { body: { filesystem: 'storage' } })).status).toBe(401);
  });
});

describe('GALLEY_S3_* in readSettingsEnv', () => {
  it('reads every key, turns S3 on with a bucket, and lets GALLEY_S3_ENABLED=false win', () => {
    expect(readSettingsEnv({ GALLEY_S3_BUCKET: 'b', GALLEY_S3_FORCE_PATH_STYLE: '1', GALLEY_S3_SECRET: 's' }).s3).toEqual({ bucket: 'b', forcePathStyle: true, secret: 's', enabled: true });
    expect(readSettingsEnv({ GALLEY_S3_BUCKET: 'b', GALLEY_S3_ENABLED: 'false' }).s3).toEqual({ bucket: 'b', enabled: false });
    expect(readSettingsEnv({}).s3).toBeUndefined();
  });
});
