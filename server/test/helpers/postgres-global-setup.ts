/**
 * Vitest global setup of the Bun and Node projects: a run dir for the PostgreSQL test cluster, handed to the
 * workers; the cluster itself starts only when a test file asks for it (`usePostgresDatabase`), so a run without
 * PostgreSQL tests pays nothing. The teardown stops it and removes the dir.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { removeCluster } from './postgres-cluster.ts';

const PREFIX = 'galley-pg-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters of earlier runs whose vitest died before its teardown (killed, Ctrl-C twice): stopped and removed. */
async function removeOrphanClusters(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // not ours, or being set up this instant
    }
    if (owner > 0 && !isAlive(owner)) await removeCluster(dir, false).catch(() => {});
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    galleyPostgresRunDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeOrphanClusters();
  const runDir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(runDir, 'owner.pid'), String(process.pid));
  project.provide('galleyPostgresRunDir', runDir);
  return () => removeCluster(runDir);
}
