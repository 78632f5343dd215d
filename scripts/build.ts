// Builds the single `galley` executable: `bun scripts/build.ts [--force] [--outfile PATH]` → dist/galley.
// Skips the build when dist/galley is newer than every input, unless --force. `--outfile` builds a private copy
// elsewhere (always built): parallel work tests its own binary through GALLEY_BINARY without racing on dist/.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAdminUi, newestAdminUiSource } from './build-admin-ui.ts';

// import.meta.url rather than import.meta.dir: this module is also loaded by vitest's e2e global setup
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', process.platform === 'win32' ? 'galley.exe' : 'galley');
/** Worker threads' modules: embedded beside the entry, found at their path under the repo root (files/thumb-renderer.ts). */
const WORKER_ENTRIES = [
  join(root, 'server', 'src', 'files', 'thumb-worker.ts'),
  join(root, 'server', 'src', 'db', 'read-aside-worker.ts'),
  join(root, 'server', 'src', 'logs', 'log-writer-worker.ts'),
  join(root, 'server', 'src', 'backups', 'snapshot-worker.ts'),
  join(root, 'server', 'src', 'backups', 'pack-worker.ts'),
];

/**
 * Which functions a `galley serve` start and its first requests ran (scripts/record-bytecode-order.ts): passed as
 * --bytecode-order, so that bytecode sits together at the front of the embedded code and a start reads less of it.
 */
export const BYTECODE_ORDER_FILE = join(root, 'scripts', 'galley-serve.order');
/**
 * JavaScriptCore's tier-up thresholds times this until `galley serve` listens (cli/src/commands/serve.ts sets 1):
 * code that runs once at start stays in the interpreter instead of being compiled by the JIT.
 */
const START_JIT_POLICY = 8;

/** Folders whose files end up in the binary (admin-ui's sources are checked by newestAdminUiSource). */
const SOURCE_DIRS = ['server/src', 'cli/src'];
/** Single files whose change means a rebuild (dependency versions, this script). */
const SOURCE_FILES = ['package-lock.json', 'server/package.json', 'cli/package.json', 'scripts/build.ts', relative(root, BYTECODE_ORDER_FILE)];
/** Native or Node-only modules the binary must not bundle: under Bun the server uses bun:sqlite + Bun.password. */
const EXTERNALS = ['better-sqlite3', 'argon2'];

/** Tests live beside the code but never ship, so editing one must not trigger a rebuild. */
function isShippedSource(path: string): boolean {
  return !/\.(test|case)\.ts$/.test(path) && !path.includes('/test/');
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (isShippedSource(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/galley exists and no input changed after it was written. */
export function isBinaryFresh(): boolean {
  if (!existsSync(outfile)) return false;
  const built = statSync(outfile).mtimeMs;
  const dirs = SOURCE_DIRS.map((d) => newestMtime(join(root, d)));
  const files = SOURCE_FILES.map((f) => join(root, f)).filter(existsSync).map((f) => statSync(f).mtimeMs);
  return Math.max(0, ...dirs, ...files, newestAdminUiSource(root)) < built;
}

/**
 * The dashboard: Vite builds admin-ui/ (budgets checked, compressed copies written) and a generated module
 * (cli/src/generated/admin-ui.ts) imports each file `with { type: 'file' }` and then the CLI; compiling that
 * module as the entry embeds the files in the binary.
 */
async function prepareAdminUi(): Promise<{ entry: string }> {
  return { entry: buildAdminUi(root).entry };
}

function formatSize(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function buildBinary(opts: { force?: boolean; outfile?: string } = {}): Promise<{ built: boolean; outfile: string }> {
  if (opts.outfile) return compileBinary(resolve(opts.outfile));
  const rel = relative(process.cwd(), outfile) || outfile;
  if (!opts.force && isBinaryFresh()) {
    console.log(`build: ${rel} is up to date (${formatSize(statSync(outfile).size)}); --force to rebuild`);
    return { built: false, outfile };
  }
  return compileBinary(outfile);
}

async function compileBinary(outfile: string): Promise<{ built: boolean; outfile: string }> {
  const rel = relative(process.cwd(), outfile) || outfile;
  const { entry } = await prepareAdminUi();
  mkdirSync(dirname(outfile), { recursive: true });
  const started = performance.now();
  // --bytecode + esm halves cold start of the binary (measured on this box). --splitting keeps what a dynamic
  // import() reaches (AWS SDK, nodemailer, jimp, tar, the CLI's other commands) in chunks loaded on first use.
  // No autoload of the working directory's .env or bunfig.toml: galley reads its own flags and environment only, and
  // a bunfig.toml's `preload` would run whatever code sits in the directory it is started from.
  const args = [
    'build', '--compile', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
    '--splitting', '--bytecode', '--format=esm', '--minify-syntax', `--compile-jit-policy=${START_JIT_POLICY}`,
    ...(existsSync(BYTECODE_ORDER_FILE) ? [`--bytecode-order=${BYTECODE_ORDER_FILE}`] : []),
    ...EXTERNALS.flatMap((name) => ['--external', name]),
    entry, ...WORKER_ENTRIES,
    '--outfile', outfile,
  ];
  const proc = Bun.spawn([process.execPath, ...args], { cwd: root, stdout: 'inherit', stderr: 'inherit' });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`bun build exited with ${code}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`build: ${rel} ${formatSize(statSync(outfile).size)} in ${seconds}s`);
  return { built: true, outfile };
}

if (import.meta.main) {
  try {
    const at = process.argv.indexOf('--outfile');
    await buildBinary({ force: process.argv.includes('--force'), outfile: at > 0 ? process.argv[at + 1] : undefined });
  } catch (err) {
    console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
