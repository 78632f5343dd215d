/** The small manifest every archive starts with: what it holds and how to check it before a restore. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };

export const MANIFEST_NAME = 'manifest.json';
export const ARCHIVE_FORMAT = 'galley-backup/1';
export const GALLEY_VERSION: string = pkg.version;

export interface BackupManifest {
  format: typeof ARCHIVE_FORMAT;
  galleyVersion: string;
  /** ISO time the databases were snapshotted */
  created: string;
  /** the applied schema's hash in the archived data.db */
  schemaHash: string;
  counts: { records: Record<string, number>; files: number; bytes: number };
  /** every entry but the manifest: archive path → size and sha256 (hex) */
  checksums: Record<string, { size: number; sha256: string }>;
  /** what is not in the archive, in words */
  notArchived: string[];
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Parses and shape-checks a manifest's text; undefined when it is not one. */
export function parseManifest(text: string): BackupManifest | undefined {
  try {
    const m = JSON.parse(text) as BackupManifest;
    if (m?.format !== ARCHIVE_FORMAT || typeof m.checksums !== 'object' || m.checksums === null) return undefined;
    for (const v of Object.values(m.checksums)) if (typeof v?.sha256 !== 'string' || typeof v.size !== 'number') return undefined;
    return m;
  } catch {
    return undefined;
  }
}
