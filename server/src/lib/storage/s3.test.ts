import { afterAll, beforeAll } from 'vitest';
import { createS3Storage } from './s3.ts';
import { startS3rver, type TestS3 } from '../../../test/helpers/s3rver.ts';
import { describeStorageContract } from './storage.case.ts';

let s3: TestS3;
let bucketCount = 0;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(() => s3?.stop());

describeStorageContract('S3 (s3rver)', async () => {
  const bucket = `contract-${++bucketCount}`;
  await s3.createBucket(bucket);
  const storage = createS3Storage({ ...s3.options, bucket });
  return { storage, dispose: async () => storage.destroy() };
});
