// Shared by the backup tests: a collection with a file field, and records made through the API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';

export const BACKUP_SCHEMA = [
  {
    name: 'docs',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 },
    ],
  },
];

type Call = (method: string, path: string, opts?: { body?: unknown; auth?: string | null }) => Promise<{ status: number; json: any }>;

/** Creates a docs record with one small file; returns its id and file name. */
export async function createDoc(call: Call, title: string): Promise<{ id: string; doc: string }> {
  const form = new FormData();
  form.set('title', title);
  form.set('doc', new File([`bytes of ${title}`], `${title}.txt`, { type: 'text/plain' }));
  let res = await call('POST', '/api/collections/docs/records', { body: form });
  // a 503 says "try again" (a store that failed under load): a client does, once
  if (res.status === 503) res = await call('POST', '/api/collections/docs/records', { body: form });
  if (res.status !== 200) throw new Error(`create ${title}: ${res.status} ${JSON.stringify(res.json)}`);
  return { id: res.json.id, doc: res.json.doc };
}

export const tempDir = (label: string) => mkdtempSync(join(tmpdir(), `galley-${label}-`));

/** A .tar.gz of `files` (path → text) under `cwd`, with tar's own path checks off (to make hostile archives). */
export async function makeTarGz(cwd: string, out: string, paths: string[]): Promise<void> {
  await createTar({ gzip: true, file: out, cwd, preservePaths: true }, paths);
}
