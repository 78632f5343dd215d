import type { S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileStorage, StoredObjectInfo } from './file-storage.ts';
import { assertStorageKey, assertStoragePrefix } from './storage-key.ts';

/** An S3-compatible bucket, in PocketBase's settings shape (minus `enabled`). */
export interface S3Options {
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

export type S3Storage = FileStorage & {
  /** Closes the client's sockets (the driver is dropped when the settings change). */
  destroy(): void;
  /** Uploads a local file, streamed from disk (a backup archive: never whole in memory). */
  putFile(key: string, path: string): Promise<void>;
};

type S3Sdk = typeof import('@aws-sdk/client-s3');

/**
 * Objects in an S3-compatible bucket; each key is the object key as it is. The AWS SDK (about 70 ms of CPU and
 * 25 MB to load in the binary) is imported on the first call, so a server that never uses S3 never loads it.
 */
export function createS3Storage(options: S3Options): S3Storage {
  let connected: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;
  const connect = () => (connected ??= import('@aws-sdk/client-s3').then((sdk) => ({ sdk, client: createS3Client(sdk, options) })));
  const Bucket = options.bucket;

  async function* listKeys(prefix: string): AsyncGenerator<StoredObjectInfo> {
    const { sdk, client } = await connect();
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket, Prefix: prefix || undefined, ContinuationToken }));
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  return {
    kind: 's3',

    async put(key, data, putOptions) {
      assertStorageKey(key);
      const { sdk, client } = await connect();
      await client.send(
        new sdk.PutObjectCommand({ Bucket, Key: key, Body: data, ContentLength: data.byteLength, ContentType: putOptions?.contentType }),
      );
    },

    async get(key, range) {
      assertStorageKey(key);
      if (range && (range.start < 0 || range.start > range.end)) throw new RangeError(`range ${range.start}-${range.end} is empty`);
      const { sdk, client } = await connect();
      try {
        const out = await client.send(
          new sdk.GetObjectCommand({ Bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
        // With a range, the whole object's size is the part after the slash of Content-Range.
        const total = out.ContentRange ? Number(out.ContentRange.split('/')[1]) : out.ContentLength;
        if (!out.Body) return null;
        return {
          key,
          size: Number.isFinite(total) ? Number(total) : 0,
          modified: out.LastModified ?? new Date(0),
          contentType: out.ContentType,
          body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>,
        };
      } catch (err) {
        if (isMissing(sdk, err)) return null;
        if (err instanceof sdk.S3ServiceException && err.name === 'InvalidRange') throw new RangeError(`range ${range?.start}-${range?.end} outside the object`);
        throw err;
      }
    },

    async stat(key) {
      assertStorageKey(key);
      const { sdk, client } = await connect();
      try {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket, Key: key }));
        return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0), contentType: out.ContentType };
      } catch (err) {
        if (isMissing(sdk, err)) return null;
        throw err;
      }
    },

    async delete(key) {
      assertStorageKey(key);
      const { sdk, client } = await connect();
      try {
        await client.send(new sdk.DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (!isMissing(sdk, err)) throw err;
      }
    },

    async deletePrefix(prefix) {
      assertStoragePrefix(prefix);
      // One at a time: a record's folder holds a handful of files, and S3-compatible servers differ in how
      // they take parallel or multi-object deletes (DeleteObjects wants Content-MD5 on some, s3rver races).
      const keys: string[] = [];
      for await (const item of listKeys(prefix)) keys.push(item.key);
      const { sdk, client } = await connect();
      for (const Key of keys) {
        try {
          await client.send(new sdk.DeleteObjectCommand({ Bucket, Key }));
        } catch (err) {
          if (!isMissing(sdk, err)) throw err;
        }
      }
    },

    list(prefix) {
      assertStoragePrefix(prefix);
      return listKeys(prefix);
    },

    async putFile(key, path) {
      assertStorageKey(key);
      const { size } = await stat(path);
      const { sdk, client } = await connect();
      await client.send(new sdk.PutObjectCommand({ Bucket, Key: key, Body: createReadStream(path), ContentLength: size }));
    },

    destroy() {
      void connected?.then(({ client }) => client.destroy());
    },
  };
}

function createS3Client(sdk: S3Sdk, options: S3Options): S3Client {
  return new sdk.S3Client({
    region: options.region || 'us-east-1',
    endpoint: options.endpoint || undefined,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secret },
    // Newer SDKs add CRC32 checksums to every call; many S3-compatible servers reject or mangle them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    // An endpoint that never answers fails the request instead of hanging it (socket idle, not total time).
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

function isMissing(sdk: S3Sdk, err: unknown): boolean {
  if (!(err instanceof sdk.S3ServiceException)) return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}
