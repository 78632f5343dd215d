/** POST /api/settings/test/s3: PocketBase's connection check of the storage (or backups) S3 settings. */
import type { Core } from '../core.ts';
import { GalleyError, issue } from '../errors.ts';
import { randomString } from '../lib/ids.ts';
import { createS3Storage } from '../lib/storage/s3.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { requireSuperuser } from './collections.ts';

const FAILED = 'Failed to test the S3 filesystem.';

/** wire: uploads `pb_settings_test_<random>/test.txt`, then deletes that prefix (list + delete both proven). */
export async function testS3Settings(core: Core, info: RequestInfo, body: Record<string, unknown>): Promise<void> {
  requireSuperuser(info);
  const filesystem = body['filesystem'];
  if (typeof filesystem !== 'string' || filesystem === '') {
    throw new GalleyError('invalid', FAILED, { issues: { filesystem: issue('validation_required', 'Cannot be blank.') } });
  }
  if (filesystem !== 'storage' && filesystem !== 'backups') {
    throw new GalleyError('invalid', FAILED, { issues: { filesystem: issue('validation_in_invalid', 'Must be a valid value.') } });
  }
  const settings = core.settings.current();
  const s3 = filesystem === 'backups' ? settings.backups.s3 : settings.s3;
  if (!s3.enabled) throw new GalleyError('invalid', `${FAILED} Raw error: \nS3 storage filesystem is not enabled`);
  const storage = createS3Storage(s3);
  const prefix = `pb_settings_test_${randomString(5)}`;
  try {
    await storage.put(`${prefix}/test.txt`, new TextEncoder().encode('test'), { contentType: 'text/plain; charset=utf-8' });
    await storage.deletePrefix(prefix);
  } catch (err) {
    // wire: PocketBase quotes the driver's error (only superusers reach this route).
    throw new GalleyError('invalid', `${FAILED} Raw error: \n${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    storage.destroy();
  }
}
