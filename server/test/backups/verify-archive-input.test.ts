// extractAndVerifyArchive on odd input: every archive settles, as a restore or as a 400. Trailing padding after
// tar's end-of-archive marker is legal and ignored, however long; damaged gzip streams and empty files are refused.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupArchive } from '../../src/backups/index.ts';
import { extractAndVerifyArchive, removeStaging } from '../../src/backups/verify-archive.ts';
import { startTestGalley, type TestGalley } from '../helpers/test-galley.ts';
import { BACKUP_SCHEMA, createDoc, tempDir } from './fixtures.ts';

// 64 MiB: the size at which the unbounded post-end buffering in tar's parser never finished (1 MiB did)
const PADDING = 64 * 1024 * 1024;

let t: TestGalley;
let dir: string;
let tarBytes: Buffer;
let gz: Buffer;

beforeAll(async () => {
  t = await startTestGalley(BACKUP_SCHEMA);
  await createDoc(t.call, 'kept');
  dir = tempDir('verify-input');
  const archive = join(dir, 'good.tar.gz');
  await createBackupArchive({ dir: t.dir, out: archive });
  gz = readFileSync(archive);
  tarBytes = gunzipSync(gz);
}, 30_000);

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the check on `bytes` written to a file; returns the manifest or the error. */
async function verify(name: string, bytes: Buffer): Promise<{ ok: boolean; message: string; status?: number }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const staging = join(dir, `${name}.staging`);
  try {
    const manifest = await extractAndVerifyArchive(file, staging);
    return { ok: true, message: Object.keys(manifest.checksums).sort().join(',') };
  } catch (err) {
    return { ok: false, message: (err as Error).message, status: (err as { status?: number }).status };
  } finally {
    await removeStaging(staging);
  }
}

describe('extractAndVerifyArchive on odd input', () => {
  it('restores a good archive followed by 64 MiB of zero padding (trailing blocks are ignored)', async () => {
    const padded = gzipSync(Buffer.concat([tarBytes, Buffer.alloc(PADDING)]), { level: 1 });
    const got = await verify('padded.tar.gz', padded);
    expect(got).toMatchObject({ ok: true });
    expect(got.message).toContain('data.db');
  }, 20_000);

  it('ignores whatever comes after the end-of-archive marker, not only zeros', async () => {
    const junk = Buffer.alloc(8 * 1024 * 1024, 0x41);
    const got = await verify('junk-tail.tar.gz', gzipSync(Buffer.concat([tarBytes, junk]), { level: 1 }));
    expect(got).toMatchObject({ ok: true });
  }, 20_000);

  it('refuses 64 MiB of zeros alone (no entry at all), as tar does', async () => {
    const got = await verify('empty-tar.tar.gz', gzipSync(Buffer.alloc(PADDING), { level: 1 }));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/Unrecognized archive format/);
  }, 20_000);

  it('refuses a gzip stream inside the gzip stream (tar would inflate it itself, padding and all)', async () => {
    const inner = gzipSync(Buffer.concat([tarBytes, Buffer.alloc(PADDING)]), { level: 1 });
    const got = await verify('twice.tar.gz.gz', gzipSync(inner, { level: 1 }));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/gzipped twice/);
  }, 20_000);

  it('refuses a truncated gzip stream', async () => {
    const got = await verify('truncated.tar.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/damaged or not a gzipped tar archive/);
  }, 20_000);

  it('refuses a gzip stream that ends inside its header', async () => {
    const got = await verify('mid-header.tar.gz', gz.subarray(0, 5));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/damaged or not a gzipped tar archive/);
  }, 20_000);

  it('refuses a gzip stream that ends inside the tar data, before its end-of-archive marker', async () => {
    const got = await verify('short-tar.tar.gz', gzipSync(tarBytes.subarray(0, 700)));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/damaged or not a gzipped tar archive|missing|no manifest/);
  }, 20_000);

  it('refuses an empty file', async () => {
    const got = await verify('empty.tar.gz', Buffer.alloc(0));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/the file is empty/);
  }, 20_000);

  it('refuses a file that is neither gzip nor tar', async () => {
    const got = await verify('text.tar.gz', Buffer.from('this is not an archive\n'.repeat(100)));
    expect(got).toMatchObject({ ok: false });
    expect(got.message).toMatch(/damaged or not a gzipped tar archive/);
  }, 20_000);
});
