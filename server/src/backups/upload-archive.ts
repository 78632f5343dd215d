/**
 * POST /api/backups/upload: the multipart `file` is streamed to `backups/.tmp-upload-*.partial` (never whole in
 * memory; refused with a 413 once the body passes the upload cap, config.maxBackupUploadSize, or would not fit
 * the disk's free space; at once when Content-Length says so; the partial file is removed), then checked like a
 * restore (verify-archive.ts) before it is kept under its own name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type busboy from 'busboy';
import { GalleyError, issue } from '../errors.ts';
import type { ArchiveStore } from './archive-store.ts';
import { assertNewBackupName } from './backup-name.ts';
import { backupsDir } from './backup-files.ts';
import { STAGING_PREFIX } from './create-archive.ts';
import { extractAndVerifyArchive, freeBytes, removeStaging } from './verify-archive.ts';

/** Room left on the disk after an upload, for the databases to keep growing. */
const FREE_MARGIN = 64 * 1024 * 1024;

const mib = (n: number) => `${Math.floor(n / 1048576)} MiB`;
/** Past the limit: the disk's free space, or the configured cap (GALLEY_BACKUP_UPLOAD_MAX_SIZE), whichever is less. */
const tooLarge = (limit: { bytes: number; by: 'disk' | 'cap' }) =>
  new GalleyError(
    'too_large',
    limit.by === 'disk'
      ? `The backup is larger than the free space on the server's disk (${mib(limit.bytes)} free).`
      : `The backup is larger than the upload limit (${mib(limit.bytes)}; the server's GALLEY_BACKUP_UPLOAD_MAX_SIZE).`,
  );
const noFile = () =>
  new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues: { file: issue('validation_required', 'Cannot be blank.') } });

/** Streams the request's `file` part to `target`; resolves with its file name. */
async function receiveFile(request: Request, target: string, limit: { bytes: number; by: 'disk' | 'cap' }): Promise<string> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data') || !request.body) throw noFile();
  // imported on the first upload: a static import evaluated busboy on every start (issue 16)
  const { default: createParser } = await import('busboy');
  let parser: busboy.Busboy;
  try {
    parser = createParser({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { files: 1, parts: 20, fieldSize: 1024 } });
  } catch {
    throw new GalleyError('invalid', 'Failed to load the submitted data due to invalid formatting (no boundary).');
  }
  let failure: Error | undefined;
  let filename: string | undefined;
  let out: WriteStream | undefined;
  let written: Promise<void> = Promise.resolve();
  let received = 0;
  const finished = new Promise<void>((resolve) => {
    parser.on('close', resolve);
    parser.on('error', (err: Error) => {
      failure ??= new GalleyError('invalid', `Failed to load the submitted data due to invalid formatting (${err.message}).`);
      resolve();
    });
  });
  parser.on('file', (key, stream, info) => {
    stream.on('error', () => undefined);
    if (key !== 'file' || out) return void stream.resume();
    filename = info.filename ?? '';
    const file = (out = createWriteStream(target));
    written = new Promise((resolve, reject) => {
      file.on('finish', resolve);
      file.on('error', reject);
    });
    stream.pipe(file);
  });
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit.bytes) {
        failure = tooLarge(limit);
        break;
      }
      parser.write(value);
    }
  } catch (err) {
    failure ??= new GalleyError('invalid', `The upload could not be read: ${(err as Error).message}`);
  }
  if (failure) {
    void reader.cancel().catch(() => undefined);
    parser.destroy();
    out?.destroy();
    throw failure;
  }
  parser.end();
  await finished;
  if (failure) throw failure;
  await written;
  if (filename === undefined) throw noFile();
  return filename;
}

export async function uploadBackupArchive(dir: string, request: Request, store: ArchiveStore, maxBytes: number): Promise<string> {
  const folder = backupsDir(dir);
  mkdirSync(folder, { recursive: true });
  const free = Math.max(0, freeBytes(folder) - FREE_MARGIN);
  const limit = free < maxBytes ? { bytes: free, by: 'disk' as const } : { bytes: maxBytes, by: 'cap' as const };
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit.bytes) throw tooLarge(limit);
  const token = randomBytes(6).toString('hex');
  const partial = join(folder, `${STAGING_PREFIX}upload-${token}.partial`);
  const staging = join(folder, `${STAGING_PREFIX}verify-${token}`);
  try {
    const name = await receiveFile(request, partial, limit);
    try {
      assertNewBackupName(name);
    } catch (err) {
      const message = (err as GalleyError).issues?.['name'];
      throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues: { file: message as never } });
    }
    if (await store.exists(name)) {
      throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', {
        issues: { file: issue('validation_backup_name_exists', 'Backup file with the specified name already exists.') },
      });
    }
    await extractAndVerifyArchive(partial, staging);
    await removeStaging(staging);
    await store.keep(name, partial);
    return name;
  } finally {
    await removeStaging(staging);
    await rm(partial, { force: true });
  }
}
