/**
 * On start, remove stored files no record names (left by a crash between a file's write and its row's commit,
 * or between a commit and the removal it called for). Only keys shaped `<collectionId>/<recordId>/<file>` (or
 * `…/thumbs_<file>/…`) of a known base/auth collection are judged: a shared S3 bucket's other objects are
 * never touched. Uploads still in flight are skipped, so a sweep can run beside live traffic (on PostgreSQL, where
 * other instances upload too, files younger than SHARED_STORAGE_GRACE_MS as well).
 */
import type { Core } from '../core.ts';
import { isUploadInFlight } from '../records/record-files.ts';
import { listFileFields, listFiles } from '../schema/fields/file.ts';
import { fieldTypeOf } from '../schema/fields/registry.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface SweepReport {
  /** objects looked at */
  examined: number;
  removed: number;
  /** objects outside Galley's layout or of unknown collections, left alone */
  ignored: number;
  /** the object cap was reached before the listing ended */
  truncated: boolean;
}

export interface SweepOptions {
  /** most objects one sweep looks at (bounds its time and memory) */
  maxObjects?: number;
  /** keys judged per batch of record look-ups */
  batchSize?: number;
}

interface Candidate {
  key: string;
  collection: CollectionModel;
  recordId: string;
  /** the record file the key is or is a thumbnail of */
  fileName: string;
}

function parseKey(core: Core, key: string): Candidate | null {
  const parts = key.split('/');
  if (parts.length < 3) return null;
  const [collectionId, recordId, first] = parts as [string, string, string];
  const collection = core.schema.collections.find((c) => c.id === collectionId);
  if (!collection || collection.type === 'view') return null;
  if (parts.length === 3) return { key, collection, recordId, fileName: first };
  if (parts.length === 4 && first.startsWith('thumbs_')) return { key, collection, recordId, fileName: first.slice('thumbs_'.length) };
  return null;
}

/** For each record id of one collection that exists: the names its file fields hold. */
async function readStoredNames(core: Core, collection: CollectionModel, ids: string[]): Promise<Map<string, Set<string>>> {
  const fields = listFileFields(collection);
  const table = collection.name;
  const rows = (await core.db.read
    .selectFrom(table)
    .select([`${table}.id`, ...fields.map((f) => `${table}.${f.name}`)])
    .where(`${table}.id`, 'in', ids)
    .execute()) as Array<Record<string, unknown>>;
  const out = new Map<string, Set<string>>();
  for (const row of rows) {
    const names = new Set<string>();
    for (const f of fields) for (const n of listFiles(fieldTypeOf(f).fromStorage(row[f.name], f))) if (typeof n === 'string') names.add(n);
    out.set(String(row['id']), names);
  }
  return out;
}

/** Judges one batch: in-flight keys are set aside BEFORE the rows are read (a commit in between is then seen). */
async function sweepBatch(core: Core, batch: Candidate[]): Promise<number> {
  const settled = batch.filter((c) => !isUploadInFlight(core.storage, `${c.collection.id}/${c.recordId}/${c.fileName}`));
  const byCollection = new Map<CollectionModel, Candidate[]>();
  for (const c of settled) byCollection.set(c.collection, [...(byCollection.get(c.collection) ?? []), c]);
  let removed = 0;
  for (const [collection, candidates] of byCollection) {
    const ids = [...new Set(candidates.map((c) => c.recordId))];
    const stored = await readStoredNames(core, collection, ids);
    for (const c of candidates) {
      if (stored.get(c.recordId)?.has(c.fileName)) continue;
      await core.storage.delete(c.key);
      removed++;
    }
  }
  return removed;
}

export async function sweepOrphanFiles(core: Core, options: SweepOptions = {}): Promise<SweepReport> {
  const maxObjects = options.maxObjects ?? 1_000_000;
  const batchSize = options.batchSize ?? 500;
  const report: SweepReport = { examined: 0, removed: 0, ignored: 0, truncated: false };
  // on PostgreSQL other instances may be uploading to the same bucket, and their uploads in flight are theirs to
  // know: a file written lately is left alone (a later start's sweep judges it)
  const recent = core.db.dialect.name === 'sqlite' ? Infinity : core.clock().getTime() - SHARED_STORAGE_GRACE_MS;
  let batch: Candidate[] = [];
  for await (const object of core.storage.list('')) {
    if (report.examined >= maxObjects) {
      report.truncated = true;
      break;
    }
    report.examined++;
    const candidate = parseKey(core, object.key);
    if (!candidate || object.modified.getTime() > recent) {
      report.ignored++;
      continue;
    }
    batch.push(candidate);
    if (batch.length >= batchSize) {
      report.removed += await sweepBatch(core, batch);
      batch = [];
    }
  }
  if (batch.length > 0) report.removed += await sweepBatch(core, batch);
  return report;
}

/** How old a file must be before a sweep on PostgreSQL (several instances, one bucket) may judge it. */
export const SHARED_STORAGE_GRACE_MS = 60 * 60 * 1000;

export interface OrphanSweepRun {
  /** the sweep's report; null when it failed (logged) or was cancelled before it began */
  readonly done: Promise<SweepReport | null>;
  /** a sweep not begun yet never begins (close); one under way is left to finish (await done) */
  cancel(): void;
}

/**
 * Runs one sweep in the background, `delayMs` after the call, and logs what it did; never throws. The delay
 * keeps the walk of the storage tree (and its record look-ups) off the first requests a fresh start answers.
 */
export function startOrphanSweep(core: Core, options: SweepOptions & { delayMs?: number } = {}): OrphanSweepRun {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle!: (report: SweepReport | null) => void;
  const done = new Promise<SweepReport | null>((resolve) => (settle = resolve));
  const run = () => {
    timer = undefined;
    const started = performance.now();
    sweepOrphanFiles(core, options).then(
      (report) => {
        const ms = Math.round(performance.now() - started);
        // news for an operator only when files were removed; the routine report stays at debug
        core.log[report.removed > 0 ? 'info' : 'debug']('orphan file sweep done', { ...report, ms, storage: core.storage.kind });
        settle(report);
      },
      (err: unknown) => {
        core.log.warn('orphan file sweep stopped', { error: String(err) });
        settle(null);
      },
    );
  };
  if (options.delayMs && options.delayMs > 0) {
    timer = setTimeout(run, options.delayMs);
    // a server only waiting for its sweep to begin may still exit
    (timer as { unref?: () => void }).unref?.();
  } else run();
  return {
    done,
    cancel() {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      settle(null);
    },
  };
}
