/**
 * Starts a server's backup in a child process (backup-child.ts says why a process) and waits for it.
 * The child is started as the SQL console's is (db/sql-console.ts): the compiled binary starts itself (with
 * BACKUP_CHILD_ENV set, read first by cli/src/main.ts), bun runs this folder's .ts and node the npm package's
 * .js through `-e`. Node running the .ts sources (tests) cannot start it: the answer says so and the caller
 * makes the archive in its own process instead. A child that is stopped (the backup service closing) or silent
 * too long is killed, and the answer waits for its exit, so the caller's temp files are removed after its last write.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describeChildDriver } from '../db/driver.ts';
import { readJsonLines } from '../lib/json-lines.ts';
import type { ArchiveJob, BackupProgress } from './archive-job.ts';
import { BACKUP_CHILD_ENV, type BackupChildMessage, type BackupChildResult } from './backup-child.ts';

export interface BackupChildOptions {
  /** stops the backup: the child is killed and the answer is a failure */
  signal?: AbortSignal;
  /**
   * The longest the child may say nothing (it reports every 2 MiB of a paced copy and every 100 ms of a pack;
   * `VACUUM INTO`, `integrity_check` and the sha256 of one large file say nothing until they end).
   */
  silenceMs?: number;
  onProgress?: (p: BackupProgress) => void;
  /** every file the snapshot references is staged (the caller's deletion hold may end) */
  onStaged?: () => void;
}

export type BackupChildOutcome = { started: true; result: BackupChildResult } | { started: false; reason: string };

const DEFAULT_SILENCE_MS = 10 * 60_000;
/** How long a child may take to start and say it is ready (a loaded machine starts processes slowly). */
const START_TIMEOUT_MS = 30_000;

const OWN_EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';

/** How to start the child here, or why it cannot be. */
function childCommand(): { args: string[]; env: NodeJS.ProcessEnv } | string {
  // the compiled binary's modules live in its embedded file system, which `bun -e` cannot import from
  if (import.meta.url.includes('$bunfs') || import.meta.url.includes('~BUN')) {
    const env: NodeJS.ProcessEnv = { ...process.env, [BACKUP_CHILD_ENV]: 'archive' };
    delete env['BUN_BE_BUN'];
    return { args: [], env };
  }
  if (describeChildDriver().runtime !== 'bun' && OWN_EXTENSION === '.ts') return 'node cannot run the .ts sources in a child process';
  const module = new URL(`./backup-child${OWN_EXTENSION}`, import.meta.url).href;
  return { args: ['-e', `import(${JSON.stringify(module)}).then((m) => m.runBackupChild())`], env: { ...process.env, BUN_BE_BUN: '1' } };
}

/** Runs `job` (its snapshots the paced copy) in a child process; `started: false` when none could start. */
export function archiveInChild(job: ArchiveJob, opts: BackupChildOptions = {}): Promise<BackupChildOutcome> {
  const command = childCommand();
  if (typeof command === 'string') return Promise.resolve({ started: false, reason: command });
  if (opts.signal?.aborted) return Promise.resolve({ started: true, result: { ok: false, message: 'the backup was stopped' } });
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, command.args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        // the data dir, not the server's cwd: `bun -e` would read a bunfig.toml (preloads) or .env found there
        cwd: job.dir,
        env: command.env,
      });
    } catch (err) {
      resolve({ started: false, reason: `the backup process could not start: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    let ready = false;
    let outcome: BackupChildOutcome | undefined;
    let stderr = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** Kills the child (once) with `why` as the answer, unless it already gave one. */
    const stop = (why: string) => {
      outcome ??= ready ? { started: true, result: { ok: false, message: why } } : { started: false, reason: why };
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const quietFor = (ms: number, why: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => stop(why), ms);
    };
    const silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
    const onAbort = () => stop('the backup was stopped');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    quietFor(START_TIMEOUT_MS, `the backup process did not start within ${START_TIMEOUT_MS / 1000} s`);
    child.stdin!.on('error', () => {}); // a child that died is reported by 'exit'
    child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (err) => stop(`the backup process could not start: ${err.message}`));
    // 'close': the exit and every line it wrote are in
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const said = stderr.trim().slice(0, 300);
      resolve(
        outcome ??
          (ready
            ? { started: true, result: { ok: false, message: `the backup process ended early (${signal ?? code})${said ? `: ${said}` : ''}` } }
            : { started: false, reason: `the backup process ended before it was ready (${signal ?? code})${said ? `: ${said}` : ''}` }),
      );
    });
    const onMessage = (msg: BackupChildMessage) => {
      if (outcome) return; // stopped: what it still says is not acted on
      if ('ready' in msg) ready = true;
      else if ('progress' in msg) opts.onProgress?.(msg.progress);
      else if ('staged' in msg) opts.onStaged?.();
      else if ('done' in msg) {
        outcome = { started: true, result: msg.done };
        clearTimeout(timer);
        return;
      }
      quietFor(silenceMs, `the backup process said nothing for ${silenceMs / 1000} s and was stopped`);
    };
    readJsonLines<BackupChildMessage>(child.stdout!, onMessage);
    child.stdin!.end(`${JSON.stringify(job)}\n`);
  });
}
