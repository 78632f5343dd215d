#!/usr/bin/env bun
// Entry point of the `galley` binary (bun build --compile cli/src/main.ts).
import { provideEmbeddedSdk } from './embedded-sdk.ts';
import { runCli } from './program.ts';

// before any command runs: a TypeScript schema file imports '@galley/sdk', which a binary user may not have installed
provideEmbeddedSdk();

// the binary started as a running server's backup process (server/src/backups/run-backup-child.ts)
if (process.env['GALLEY_BACKUP_CHILD'] === 'archive') await (await import('@galley/server')).runBackupChild();

const code = await runCli(process.argv);
process.exitCode = code;
// Let stdout drain and exit on its own; a handle left open by a library must not keep the process alive.
setTimeout(() => process.exit(code), 1000).unref();
