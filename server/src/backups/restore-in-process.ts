/**
 * A restore through the running server (POST /api/backups/{key}/restore), in this order:
 * 1. check the archive while the server keeps serving (verify-archive.ts: staged under `<dir>/.restore-*`);
 * 2. keep the current data as `@pre_restore_<time>.tar.gz` where the other backups are: `<dir>/backups/`, or
 *    the backups.s3 bucket while it is enabled (writes still go on);
 * 3. close the gate: new requests get 503 + Retry-After, requests in flight finish;
 * 4. stop the data services (realtime streams end, so clients reconnect; databases close);
 * 5. swap the staged data in (restore-swap.ts, under its journal);
 * 6. start the services on the restored data, the schema applied as on start (a plan that would lose data is
 *    refused) — on any failure: stop what started, roll the swap back, start on the data from before;
 * 7. open the gate. The outcome is logged; the busy marker is released.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../lib/log.ts';
import type { PreRestoreTarget } from './backup-service.ts';
import type { BusyMarker } from './busy-marker.ts';
import { createBackupArchive } from './create-archive.ts';
import { RESTORE_STAGING_PREFIX, swapInRestoredData } from './restore-swap.ts';
import { extractAndVerifyArchive, removeStaging } from './verify-archive.ts';

/** What the lifecycle's owner lends a restore: its gate and its services, to stop and start again. */
export interface ReopenableServer {
  closeGate(): Promise<void>;
  openGate(): void;
  stopServices(): Promise<void>;
  /** Opens the services on whatever data the directory holds now; throws when they cannot start. */
  startServices(): Promise<void>;
  /** The logger in force (the app log of the services running now). */
  log(): Logger;
}

export async function restoreInProcess(dir: string, archive: string, key: string, marker: BusyMarker, server: ReopenableServer, preRestore: PreRestoreTarget): Promise<void> {
  const staging = join(dir, `${RESTORE_STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await extractAndVerifyArchive(archive, staging);
    await createBackupArchive({ dir, out: preRestore.path, marker, pacedSnapshot: 'child-process' });
    await preRestore.keep();
    await server.closeGate();
    try {
      await server.stopServices();
      const swap = swapInRestoredData(dir, staging);
      try {
        await server.startServices();
        swap.commit();
        server.log().info(`restored the backup ${key}`);
      } catch (err) {
        await server.stopServices();
        swap.rollBack();
        await server.startServices();
        server.log().error('Failed to restore backup; the data from before it is back', { key, error: err instanceof Error ? err.message : String(err) });
      }
    } finally {
      server.openGate();
    }
  } catch (err) {
    server.log().error('Failed to restore backup', { key, error: err instanceof Error ? err.message : String(err) });
  } finally {
    await removeStaging(staging);
    marker.release();
  }
}
