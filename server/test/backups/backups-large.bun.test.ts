// Backups past the small sizes of the other backup tests (Bun: the listener's body cap is Bun.serve's, and the
// pack worker is a Bun worker here):
// - the checksums and tar + gzip run on the pack worker: a request is answered while a backup is being packed;
// - POST /api/backups/upload takes a body over the old 256 MiB listener cap, streamed to disk (a generated
//   archive: a real backup's files and a stored file of zeros past the old cap, gzipped at level 0);
// - past the configured cap (GALLEY_BACKUP_UPLOAD_MAX_SIZE) an upload is a 413 saying so, no temp file kept.
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { create as createTar, extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { createBackupArchive } from '../../src/backups/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley } from '../helpers/test-galley.ts';
import { BACKUP_SCHEMA, createDoc, tempDir } from './fixtures.ts';

const ROOT = { email: 'root@example.com', password: 'rootpass123' };
const OLD_CAP = 256 * 1024 * 1024;
const SMALL_CAP = 1024 * 1024;

interface Server {
  dir: string;
  galley: Galley;
  token: string;
}
let big: Server;
let capped: Server;
let url = '';
let scratch = '';

async function start(label: string, maxBackupUploadSize?: number): Promise<Server> {
  const dir = tempDir(label);
  await upsertSuperuser({ dir }, ROOT.email, ROOT.password);
  const galley = await createGalley({ dir, schema: BACKUP_SCHEMA, env: {}, logger: createTestLogger(), maxBackupUploadSize, settings: { rateLimits: { enabled: false } } as never });
  const auth = await callGalley(galley, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: ROOT.email, password: ROOT.password } });
  return { dir, galley, token: auth.json.token };
}

const leftovers = (s: Server) => (existsSync(join(s.dir, 'backups')) ? readdirSync(join(s.dir, 'backups')).filter((n) => n.startsWith('.tmp-') || n.endsWith('.partial')) : []);

beforeAll(async () => {
  scratch = tempDir('backups-large-body');
  big = await start('backups-large');
  capped = await start('backups-capped', SMALL_CAP);
  url = (await big.galley.listen('127.0.0.1:0')).url;
  await createDoc((m, p, o) => callGalley(big.galley, m, p, { ...o, auth: big.token }), 'kept');
  // a stored file large enough that gzip takes a while on it (random bytes do not compress)
  mkdirSync(join(big.dir, 'storage', 'bulk'), { recursive: true });
  writeFileSync(join(big.dir, 'storage', 'bulk', 'random.bin'), randomBytes(48 * 1024 * 1024));
}, 30_000);

afterAll(async () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  for (const s of [big, capped]) {
    await s?.galley.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  }
});

describe('large backups', () => {
  it('the archive is packed on the pack worker', async () => {
    const made = await createBackupArchive({ dir: big.dir, out: join(big.dir, 'backups', 'direct.tar.gz') });
    expect(made.packedOn).toBe('worker');
    expect(made.manifest.checksums['storage/bulk/random.bin']?.size).toBe(48 * 1024 * 1024);
    rmSync(made.file);
  });

  it('a request is answered while a backup is being packed', async () => {
    const order: string[] = [];
    let settled = false;
    const backup = callGalley(big.galley, 'POST', '/api/backups', { body: { name: 'packed.tar.gz' }, auth: big.token }).finally(() => {
      settled = true;
      order.push('backup');
    });
    // the pack has begun once the archive is being written (after the snapshot, staging and checksums)
    const partial = join(big.dir, 'backups', 'packed.tar.gz.partial');
    while (!existsSync(partial) && !settled) await new Promise((r) => setTimeout(r, 2));
    expect(settled).toBe(false);
    const list = await callGalley(big.galley, 'GET', '/api/collections/docs/records', { auth: big.token });
    order.push('request');
    expect(list.status).toBe(200);
    expect(list.json.totalItems).toBe(1);
    expect((await backup).status).toBe(204);
    expect(order).toEqual(['request', 'backup']);
  });

  it(`takes an upload over the old ${OLD_CAP / 1048576} MiB listener cap, streamed to disk, and keeps it`, async () => {
    // a real backup's files plus a stored file of zeros past the old cap, in a tar gzipped at level 0 (stored)
    const stage = join(scratch, 'stage');
    mkdirSync(join(stage, 'storage', 'bulk'), { recursive: true });
    await extract({ file: join(big.dir, 'backups', 'packed.tar.gz'), cwd: stage });
    rmSync(join(stage, 'storage', 'bulk', 'random.bin'));
    const manifest = JSON.parse(readFileSync(join(stage, 'manifest.json'), 'utf8'));
    delete manifest.checksums['storage/bulk/random.bin'];
    const zeros = Buffer.alloc(1024 * 1024);
    const zeroMiB = OLD_CAP / zeros.length + 8;
    const fd = openSync(join(stage, 'storage', 'bulk', 'zeros.bin'), 'w');
    const hash = createHash('sha256');
    for (let i = 0; i < zeroMiB; i++) {
      writeSync(fd, zeros);
      hash.update(zeros);
    }
    closeSync(fd);
    manifest.checksums['storage/bulk/zeros.bin'] = { size: zeroMiB * zeros.length, sha256: hash.digest('hex') };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest));
    const boundary = `galley${randomBytes(8).toString('hex')}`;
    // the multipart body written to a temp file first, then sent from it (a known Content-Length)
    const bodyFile = join(scratch, 'upload.body');
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.tar.gz"\r\nContent-Type: application/gzip\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    writeFileSync(bodyFile, head);
    await pipeline(createTar({ cwd: stage, portable: true }, ['manifest.json', ...Object.keys(manifest.checksums)]), createGzip({ level: 0 }), createWriteStream(bodyFile, { flags: 'a' }));
    rmSync(stage, { recursive: true, force: true });
    appendFileSync(bodyFile, tail);
    const archiveBytes = statSync(bodyFile).size - head.length - tail.length;
    const res = await fetch(`${url}/api/backups/upload`, {
      method: 'POST',
      headers: { authorization: big.token, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Bun.file(bodyFile),
    });
    rmSync(bodyFile);
    expect(res.status).toBe(204);
    expect(archiveBytes).toBeGreaterThan(OLD_CAP);
    const listed = await callGalley(big.galley, 'GET', '/api/backups', { auth: big.token });
    expect(listed.json.find((b: { key: string }) => b.key === 'big.tar.gz')?.size).toBe(archiveBytes);
    expect(leftovers(big)).toEqual([]);
    rmSync(join(big.dir, 'backups', 'big.tar.gz'));
  }, 180_000);

  it('past the configured cap: a 413 that names the limit, announced or streamed, and no temp file kept', async () => {
    const form = new FormData();
    form.set('file', new File([randomBytes(2 * SMALL_CAP)], 'over.tar.gz'));
    const announced = await callGalley(capped.galley, 'POST', '/api/backups/upload', { body: form, auth: capped.token });
    expect(announced.status).toBe(413);
    expect(announced.json).toMatchObject({ status: 413, message: expect.stringContaining('upload limit (1 MiB') });
    // no Content-Length: refused once the bytes read pass the cap
    const streamed = await capped.galley.handle(
      new Request('http://127.0.0.1/api/backups/upload', {
        method: 'POST',
        headers: { authorization: capped.token, 'content-type': 'multipart/form-data; boundary=b' },
        body: Readable.toWeb(Readable.from([Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="s.tar.gz"\r\n\r\n'), randomBytes(2 * SMALL_CAP)])) as unknown as ReadableStream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { message: string }).message).toContain('upload limit');
    expect(leftovers(capped)).toEqual([]);
    expect((await callGalley(capped.galley, 'GET', '/api/backups', { auth: capped.token })).json).toEqual([]);
  });
});
