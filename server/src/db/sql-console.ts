/**
 * Runs SQL console queries off the event loop, each in a child process with its own connection to data.db
 * (db/sql-console-child.ts says why a process and not a Worker), killed at the deadline.
 *
 * Writes and the main writer: a console query that writes takes SQLite's write lock on its own connection.
 * Were the group-commit writer to BEGIN meanwhile, SQLite's busy handler would sleep on the main thread for up
 * to the busy timeout, once per group, for as long as the console holds the lock. So the writer is paused
 * (writer.pause(): queued record writes wait, nothing blocks) from before the child begins until it has
 * committed, rolled back or been killed; a kill rolls its transaction back, and the child's connection has
 * the same synchronous level as the writer's, so a console COMMIT is as durable as a record write.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { GalleyError } from '../errors.ts';
import { readJsonLines } from '../lib/json-lines.ts';
import { describeChildDriver } from './driver.ts';
import { SQL_CHILD_PROGRAM, type SqlChildJob, type SqlChildMessage, type SqlChildResult } from './sql-console-child.ts';
import type { GroupWriter } from './writer.ts';

export type SqlConsoleOutcome =
  | { ok: true; result: SqlChildResult; wrote: boolean }
  | { ok: false; reason: 'refused' | 'sql' | 'timeout'; message: string };

export interface SqlConsoleJob extends Omit<SqlChildJob, 'file'> {
  timeoutMs: number;
}

export interface SqlConsole {
  run(job: SqlConsoleJob): Promise<SqlConsoleOutcome>;
  /** Kills the queries still running (their transactions roll back). */
  close(): Promise<void>;
}

/** Console queries running at once beyond which new ones get a 503. */
const MAX_RUNNING = 4;
/** How long a child may take to start, open data.db and look at the statements (its EXPLAIN pass). */
const START_TIMEOUT_MS = 30_000;

/** A child kept waiting for the next query (a process takes 50–500 ms to start), stopped when unused this long. */
const SPARE_IDLE_MS = 60_000;

export function createSqlConsole(opts: { file: string; writer: GroupWriter }): SqlConsole {
  const running = new Set<() => void>();
  let closed = false;
  let spare: { child: ChildProcess; gone: boolean } | undefined;
  let spareTimer: ReturnType<typeof setTimeout> | undefined;

  const spawnChild = (): ChildProcess => {
    const child = spawn(process.execPath, ['-e', SQL_CHILD_PROGRAM], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // the data dir, not the server's cwd: `bun -e` would read a bunfig.toml (preloads) or .env found there
      cwd: dirname(opts.file),
      env: { ...process.env, BUN_BE_BUN: '1', GALLEY_SQL_CHILD_DRIVER: JSON.stringify(describeChildDriver()) },
    });
    child.stdin!.on('error', () => {}); // a child that died is reported by 'exit'
    return child;
  };

  /** The spare child, if it is still alive; it then belongs to the caller. */
  const takeSpare = (): ChildProcess | undefined => {
    const s = spare;
    spare = undefined;
    clearTimeout(spareTimer);
    if (!s || s.gone || s.child.exitCode !== null || s.child.signalCode !== null) return undefined;
    s.child.removeAllListeners('exit');
    s.child.removeAllListeners('error');
    return s.child;
  };

  /** Keep `reused` (a child that answered its query), or start the next query's child now, as the spare. */
  const keepSpare = (reused?: ChildProcess): void => {
    if (closed || spare) {
      reused?.kill('SIGKILL');
      return;
    }
    let child: ChildProcess;
    try {
      child = reused ?? spawnChild();
    } catch {
      return; // the next query starts its own (and reports why it cannot)
    }
    const s = { child, gone: false };
    const drop = () => {
      s.gone = true;
      if (spare === s) spare = undefined;
    };
    child.on('exit', drop);
    child.on('error', drop);
    spare = s;
    clearTimeout(spareTimer);
    spareTimer = setTimeout(() => {
      if (spare !== s) return;
      spare = undefined;
      child.kill('SIGKILL');
    }, SPARE_IDLE_MS);
    spareTimer.unref?.();
  };

  const run = (job: SqlConsoleJob): Promise<SqlConsoleOutcome> => {
    if (closed) return Promise.reject(new GalleyError('unavailable', 'the server is shutting down'));
    if (running.size >= MAX_RUNNING) {
      return Promise.reject(new GalleyError('unavailable', 'too many SQL console queries are running; try again later', { retryAfter: 1 }));
    }
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = takeSpare() ?? spawnChild();
      } catch (err) {
        reject(new GalleyError('unavailable', 'the SQL console could not start its process', { cause: err }));
        return;
      }
      let release: (() => void) | undefined;
      let settled = false;
      let wrote = false;
      let stderr = '';
      const unpause = () => {
        release?.();
        release = undefined;
      };
      const alive = () => child.exitCode === null && child.signalCode === null;
      const stop = () => settle(new GalleyError('unavailable', 'the server is shutting down'));
      /** `answered`: the child ended the query itself (committed or rolled back, connection closed) and may serve the next. */
      const settle = (outcome: SqlConsoleOutcome | Error, answered = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        running.delete(stop);
        for (const stream of [child.stdout!, child.stderr!]) stream.removeAllListeners('data');
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        if (answered && alive()) {
          unpause();
          keepSpare(child);
        } else {
          // the writer stays paused until the child is gone: its lock is released only then
          if (alive()) {
            child.once('exit', unpause);
            child.kill('SIGKILL');
          } else unpause();
          keepSpare();
        }
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const expire = () => settle({ ok: false, reason: 'timeout', message: `the query did not finish within ${job.timeoutMs / 1000} s and was stopped (its changes were rolled back)` });
      // the query's own clock starts once its process is up and has read it (a busy machine starts processes slowly)
      let timer = setTimeout(() => settle(new GalleyError('unavailable', 'the SQL console\'s process did not start in time; try again later', { retryAfter: 1 })), START_TIMEOUT_MS);
      running.add(stop);
      child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
      child.on('error', (err) => settle(new GalleyError('unavailable', 'the SQL console could not start its process', { cause: err })));
      child.on('exit', (code, signal) => {
        unpause();
        settle(new GalleyError('unavailable', `the SQL console's process ended early (${signal ?? code}): ${stderr.trim().slice(0, 300)}`));
      });
      const onMessage = (msg: SqlChildMessage) => {
        if ('plan' in msg) {
          clearTimeout(timer);
          timer = setTimeout(expire, job.timeoutMs);
          wrote = msg.plan.writes && !job.readOnly;
          if (!wrote) return void child.stdin!.write('go\n');
          void opts.writer.pause().then((r) => {
            if (settled) return r();
            release = r;
            child.stdin!.write('go\n');
          });
        } else if ('done' in msg) settle({ ok: true, result: msg.done, wrote }, true);
        else settle({ ok: false, reason: msg.error.refused ? 'refused' : 'sql', message: msg.error.message }, true);
      };
      readJsonLines<SqlChildMessage>(child.stdout!, onMessage);
      const { timeoutMs: _timeout, ...rest } = job;
      child.stdin!.write(JSON.stringify({ ...rest, file: opts.file } satisfies SqlChildJob) + '\n');
    });
  };

  return {
    run,
    async close() {
      closed = true;
      for (const stop of [...running]) stop();
      takeSpare()?.kill('SIGKILL');
    },
  };
}
