/**
 * The backup worker's entry point: one database job (snapshot or inspection, db-jobs.ts) off the thread that
 * answers requests, since bun:sqlite runs `VACUUM INTO` and `integrity_check` to their end on the calling thread.
 * A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runDbJob, type DbJob } from './db-jobs.ts';

parentPort?.postMessage({ ready: true });
parentPort?.postMessage(runDbJob(workerData as DbJob));
