#!/usr/bin/env node
// Runs the Bun that npm installed (devDependency `bun`), so `npm start|test|build` need only Node + npm.
// Usage: node scripts/run-bun.mjs <script.ts> [args…] — stdio, SIGINT/SIGTERM and the exit code pass through.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The bun executable: the `bun` package's own bin entry, then node_modules/.bin, then PATH. */
function findBun() {
  const exe = process.platform === 'win32' ? 'bun.exe' : 'bun';
  const candidates = [];
  try {
    const pkgJson = createRequire(join(root, 'package.json')).resolve('bun/package.json');
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.bun;
    if (bin) candidates.push(join(dirname(pkgJson), bin));
  } catch {
    // not installed as a package: fall through to the other places
  }
  candidates.push(join(root, 'node_modules', '.bin', exe));
  if (process.env.BUN_INSTALL) candidates.push(join(process.env.BUN_INSTALL, 'bin', exe));
  for (const dir of (process.env.PATH ?? '').split(process.platform === 'win32' ? ';' : ':')) {
    if (dir) candidates.push(join(dir, exe));
  }
  return candidates.find((p) => existsSync(p));
}

const bun = findBun();
if (!bun) {
  console.error('run-bun: cannot find the bun executable; run `npm ci` first (bun is a devDependency).');
  process.exit(127);
}

const child = spawn(bun, process.argv.slice(2), { cwd: process.cwd(), stdio: 'inherit' });

// A terminal's Ctrl-C reaches the whole process group, so the child may see a signal twice; it must be idempotent.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

// npm exits on SIGTERM without passing it on; when our parent goes away, stop the child instead of orphaning it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}, 500).unref();

child.on('error', (err) => {
  console.error(`run-bun: failed to start ${bun}: ${err.message}`);
  process.exit(127);
});

child.on('exit', (code, signal) => {
  if (signal) {
    // Mirror the child's death by signal as the shell convention 128+n (re-raising could be caught by our handler).
    process.exit(128 + (constants.signals[signal] ?? 1));
  }
  process.exit(code ?? 1);
});
