/**
 * Vitest global setup of the Bun and Node projects: a run dir for the PostgreSQL test cluster, handed to the
 * workers; the cluster itself starts only when a test file asks for it (`usePostgresDatabase`), so a run without
 * PostgreSQL tests pays nothing. The teardown stops it and removes the dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { removeCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    galleyPostgresRunDir: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'galley-pg-'));
  project.provide('galleyPostgresRunDir', runDir);
  return () => removeCluster(runDir);
}
