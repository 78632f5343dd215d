/**
 * What one Galley on PostgreSQL hears from the others (issue 17, several instances): one connection of its own,
 * outside the pool, that `LISTEN`s on Galley's channels (a migration's `galley_schema`, a settings save's
 * `galley_settings`) and holds the files lock below. A lost connection is made again with a growing pause; the
 * `onResumed` callbacks then run, since what was notified in between was missed.
 *
 * The files lock: with several instances files must live on S3 (a file one instance wrote on its own disk is
 * missing on the others). An instance storing files on S3 holds a shared session advisory lock, one storing them
 * on local disk the exclusive one, so a local-disk instance starts only alone and nothing starts beside it. The
 * lock is the session's: a crashed instance's goes with its connection.
 */
import { GalleyError } from '../errors.ts';
import { connectPostgresSession, type PostgresSession } from './postgres-driver.ts';
import { POSTGRES_SCHEMA_CHANNEL } from './postgres-ddl.ts';
import { POSTGRES_RECORDS_CHANNEL, POSTGRES_SETTINGS_CHANNEL } from './postgres-notify.ts';
import type { LogFn } from './writer.ts';

const CHANNELS = [POSTGRES_SCHEMA_CHANNEL, POSTGRES_SETTINGS_CHANNEL, POSTGRES_RECORDS_CHANNEL] as const;
export type PostgresChannel = (typeof CHANNELS)[number];

/** The files lock's key ("galfil"), beside the schema lock's (postgres-ddl.ts). */
export const FILES_LOCK = 0x67616c66696c;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

export type FilesPlace = 'local' | 's3';

export interface PostgresListener {
  on(channel: PostgresChannel, fn: (payload: string) => void): void;
  /** after the connection was made again (notifications may have been missed) */
  onResumed(fn: () => void): void;
  /**
   * Take the files lock for `place` (s3: shared, local: exclusive), giving up the other mode's once held.
   * False when another instance's lock stands in the way; nothing changes then.
   */
  claimFiles(place: FilesPlace): Promise<boolean>;
  /**
   * NOTIFY `channel` once per payload, in order, in one statement on this connection (so one instance's
   * notifications keep their order; this session hears its own too). Rejects while the connection is lost.
   */
  notify(channel: PostgresChannel, payloads: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresListenerOptions {
  url: string;
  log: LogFn;
  /** shown in pg_stat_activity */
  applicationName?: string;
}

const lockCall = (place: FilesPlace, action: 'try' | 'unlock') =>
  `SELECT ${action === 'try' ? 'pg_try_advisory_lock' : 'pg_advisory_unlock'}${place === 's3' ? '_shared' : ''}(${FILES_LOCK}) AS ok`;

export async function startPostgresListener(opts: PostgresListenerOptions): Promise<PostgresListener> {
  const handlers = new Map<string, Array<(payload: string) => void>>();
  const resumed: Array<() => void> = [];
  let held: FilesPlace | undefined;
  /** the mode last taken: taken again on each new connection until one holds it (`held` is this session's) */
  let wanted: FilesPlace | undefined;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let claimTimer: ReturnType<typeof setTimeout> | undefined;
  /** pending from a lost connection until a new one took the lock back: a claim meanwhile waits for it */
  let reconnected: Promise<void> | undefined;
  let endReconnect = (): void => {};
  /** connections lost so far: a reconnect whose new connection was lost again leaves the wait to the next one */
  let losses = 0;

  const dispatch = (channel: string, payload: string): void => {
    for (const fn of handlers.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        opts.log('warn', `a ${channel} notification's handler failed: ${String(err)}`);
      }
    }
  };

  const open = async (): Promise<PostgresSession> => {
    const s = await connectPostgresSession(opts.url, opts.applicationName ?? 'galley listener');
    s.onNotification(dispatch);
    try {
      for (const channel of CHANNELS) await s.query(`LISTEN ${channel}`);
    } catch (err) {
      await s.end();
      throw err;
    }
    s.onLost((err) => {
      losses++;
      reconnected ??= new Promise<void>((resolve) => (endReconnect = resolve));
      void reconnect(err);
    });
    return s;
  };

  let session = await open();

  const finishReconnect = (): void => {
    reconnected = undefined;
    endReconnect();
  };

  async function reconnect(err: unknown, pauseMs = RETRY_FIRST_MS): Promise<void> {
    if (closed) return finishReconnect();
    if (pauseMs === RETRY_FIRST_MS) opts.log('warn', `PostgreSQL listener connection lost (${String((err as Error)?.message ?? err)}); connecting again`);
    await new Promise<void>((resolve) => (retryTimer = setTimeout(resolve, pauseMs)));
    if (closed) return finishReconnect();
    let next: PostgresSession;
    try {
      next = await open();
    } catch {
      return reconnect(err, Math.min(pauseMs * 2, RETRY_MAX_MS));
    }
    // closed while connecting: close() ended the lost session, so this one must not take the lock back or stay open
    if (closed) {
      finishReconnect();
      return next.end();
    }
    session = next;
    const lossesBefore = losses;
    // the lock went with the old session: take it again (another instance or a copy may have started meanwhile)
    const place = wanted;
    held = undefined;
    if (place && !(await claimOnSession(place).catch(() => false)) && losses === lossesBefore) {
      const holders = await findFilesLockHolders(next).catch(() => []);
      const who = holders.length > 0 ? `${holders.map(describeFilesLockHolder).join(', ')} holds it` : 'another process holds it';
      // a copy's holder needs no word on where files live; another instance's does
      const why = holders.some((h) => h.application === MIGRATE_DATA_APPLICATION) ? '' : `; ${describeFilesConflict(place)}`;
      opts.log('error', `files lock: not taken back after the connection was lost: ${who}. This instance serves on without it and tries again every ${RETRY_MAX_MS / 1000} s${why}`);
      retakeLater(next, place);
    }
    // lost again while taking the lock back: the next reconnect ends the wait of the claims held meanwhile
    if (losses === lossesBefore) finishReconnect();
    opts.log('info', 'PostgreSQL listener connected again');
    for (const fn of resumed) {
      try {
        fn();
      } catch (e) {
        opts.log('warn', `a listener resume callback failed: ${String(e)}`);
      }
    }
  }

  /** Until the holder lets go, the lock is tried again on this session (a copy's or another instance's end frees it). */
  function retakeLater(on: PostgresSession, place: FilesPlace): void {
    claimTimer = setTimeout(() => {
      if (closed || session !== on || held !== undefined || wanted !== place) return; // lost again, or claimed meanwhile
      claimOnSession(place).then(
        (ok) => (ok ? opts.log('info', 'files lock: taken back') : retakeLater(on, place)),
        () => undefined, // the session broke: its reconnect takes the lock
      );
    }, RETRY_MAX_MS);
    claimTimer.unref?.();
  }

  /** A claim made while the connection is lost waits for the new one (the lost session can take nothing). */
  async function claimFiles(place: FilesPlace): Promise<boolean> {
    while (reconnected) await reconnected;
    return claimOnSession(place);
  }

  async function claimOnSession(place: FilesPlace): Promise<boolean> {
    if (held === place) return true;
    const { rows } = await session.query(lockCall(place, 'try'));
    if (rows[0]?.['ok'] !== true) return false;
    if (held) await session.query(lockCall(held, 'unlock'));
    held = wanted = place;
    return true;
  }

  return {
    on(channel, fn) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), fn]);
    },
    onResumed: (fn) => void resumed.push(fn),
    claimFiles,
    async notify(channel, payloads) {
      if (payloads.length === 0) return;
      // a function scan gives the rows in array order, and each row's pg_notify runs as it is read
      await session.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [channel, payloads]);
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(claimTimer);
      if (reconnected) finishReconnect();
      await session.end();
    },
  };
}

/** The application_name of `galley migrate-data`'s session (migrate-data/data-endpoint.ts), which holds the lock exclusively for a copy. */
export const MIGRATE_DATA_APPLICATION = 'galley migrate-data';

/** A session holding the files lock, as pg_locks and pg_stat_activity show it. */
export interface FilesLockHolder {
  /** the backend's pid on the database server */
  pid: number;
  exclusive: boolean;
  /** its application_name: 'galley listener' for an instance, 'galley migrate-data' for a copy, anything else for other clients */
  application: string;
  /** when its connection began; undefined when this role may not see it (another role's session) */
  since: string | undefined;
}

// an advisory lock on one bigint key shows in pg_locks as its high and low 32 bits (classid, objid) with objsubid 1
const FILES_LOCK_HOLDERS = `SELECT l.pid, l.mode, a.application_name, a.backend_start
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid AND l.objsubid = 1
  ORDER BY l.pid`;

/** The other sessions holding the files lock now (shared or exclusive). */
export async function findFilesLockHolders(session: Pick<PostgresSession, 'query'>): Promise<FilesLockHolder[]> {
  const { rows } = await session.query(FILES_LOCK_HOLDERS, [FILES_LOCK]);
  return rows.map((r) => ({
    pid: Number(r['pid']),
    exclusive: r['mode'] === 'ExclusiveLock',
    application: typeof r['application_name'] === 'string' ? r['application_name'] : '',
    since: r['backend_start'] instanceof Date ? r['backend_start'].toISOString() : r['backend_start'] == null ? undefined : String(r['backend_start']),
  }));
}

/** 'galley migrate-data (backend pid 4242, connected since …)', 'a Galley instance (…)', 'another client, "psql" (…)'. */
export function describeFilesLockHolder(holder: FilesLockHolder): string {
  const who =
    holder.application === MIGRATE_DATA_APPLICATION
      ? MIGRATE_DATA_APPLICATION
      : holder.application.startsWith('galley listener')
        ? 'a Galley instance'
        : `another client${holder.application ? `, "${holder.application}"` : ''}`;
  return `${who} (backend pid ${holder.pid}${holder.since ? `, connected since ${holder.since}` : ''})`;
}

/** Why an instance may not keep its files where it does while another serves the same database. */
export function describeFilesConflict(place: FilesPlace): string {
  return place === 'local'
    ? 'this instance keeps files on its local disk, which the other instances cannot read: with several instances ' +
        'on one PostgreSQL database files must live on S3 (settings s3, or GALLEY_S3_BUCKET and the other GALLEY_S3_* variables)'
    : 'another instance keeps files on its local disk, which this one cannot read: with several instances on one ' +
        'PostgreSQL database every instance must keep files on S3; stop it or move its files to S3 first';
}

/** The start refused: another instance stands in the way of keeping files at `place`. */
export function filesConflictError(place: FilesPlace): GalleyError {
  return new GalleyError('invalid', `another Galley instance serves this PostgreSQL database: ${describeFilesConflict(place)}`);
}
