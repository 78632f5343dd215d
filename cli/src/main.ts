#!/usr/bin/env bun
// Entry point of the `galley` binary (bun build --compile cli/src/main.ts).
import { provideEmbeddedSdk } from './embedded-sdk.ts';
import { runCli } from './program.ts';

// before any command runs: a TypeScript schema file imports '@galley/sdk', which a binary user may not have installed
provideEmbeddedSdk();

const code = await runCli(process.argv);
process.exitCode = code;
// Let stdout drain and exit on its own; a handle left open by a library must not keep the process alive.
setTimeout(() => process.exit(code), 1000).unref();
