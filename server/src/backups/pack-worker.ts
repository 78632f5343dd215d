/**
 * The pack worker's entry point: one backup's checksums, manifest and tar + gzip (pack-job.ts), off the thread
 * that answers requests. A separate entry point of the compiled binary (scripts/build.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runPackJob, type PackJob } from './pack-job.ts';

parentPort?.postMessage({ ready: true });
const result = await runPackJob(workerData as PackJob, (progress) => parentPort?.postMessage({ progress }));
parentPort?.postMessage({ result });
