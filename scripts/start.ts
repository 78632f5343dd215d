// `npm start`: build dist/galley if any source is newer, then serve schema-examples/blog.json into ./galley_data.
// Extra arguments go to `galley serve` (`npm start -- --http 0.0.0.0:8090`), except `--force`, which rebuilds first.
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBinary } from './build.ts';
import { splitStartArgs } from './start-args.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { force, serveArgs } = splitStartArgs(process.argv.slice(2));

const { outfile } = await buildBinary({ force }).catch((err: unknown) => {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const args = ['serve', '--schema', join(root, 'schema-examples', 'blog.json'), '--dir', './galley_data', ...serveArgs];
const child = Bun.spawn([outfile, ...args], { cwd: root, stdin: 'inherit', stdout: 'inherit', stderr: 'inherit' });

// The server shuts down gracefully on the first signal and ignores repeats (a terminal's Ctrl-C reaches it directly too).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}

const code = await child.exited;
process.exit(child.signalCode ? 128 + (constants.signals[child.signalCode as NodeJS.Signals] ?? 1) : code);
