/**
 * The thumbnail worker's entry point: decoding and resizing block for tens of milliseconds per image, so
 * they run here, off the thread that answers requests. A separate entry point of the compiled binary.
 */
import { parentPort } from 'node:worker_threads';
import { renderThumbnail } from './render-thumbnail.ts';
import type { ThumbSize } from './thumb-size.ts';

export interface ThumbJob {
  id: number;
  source: Uint8Array;
  size: ThumbSize;
  format: string;
}

export type ThumbJobResult = { id: number; bytes: Uint8Array; contentType: string } | { id: number; error: string } | { ready: true };

// Tells the main thread this runtime could load the worker (else it renders on its own thread).
parentPort?.postMessage({ ready: true } satisfies ThumbJobResult);

parentPort?.on('message', async (job: ThumbJob) => {
  try {
    const { bytes, contentType } = await renderThumbnail(job.source, job.size, job.format);
    parentPort!.postMessage({ id: job.id, bytes, contentType } satisfies ThumbJobResult, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies ThumbJobResult);
  }
});
