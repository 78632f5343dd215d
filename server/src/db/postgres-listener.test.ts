// The listener connection (postgres-listener.ts) against the test cluster, through a TCP relay the test controls: a
// lost connection is made again and takes the files lock back (on the next one if it is lost again meanwhile), and a
// close() that comes while that new connection is being made leaves no connection and no lock behind.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase } from '../../test/helpers/postgres.ts';
import { connectPostgresSession } from './postgres-driver.ts';
import { FILES_LOCK, MIGRATE_DATA_APPLICATION, startPostgresListener } from './postgres-listener.ts';

/** A relay to the cluster: `cut()` drops every relayed connection; while held, a new one waits until `release()`. */
function startRelay(host: string, port: number) {
  const open = new Set<Socket>();
  const held: Array<() => void> = [];
  const heldWaiters: Array<() => void> = [];
  let holding = false;
  let cutAt: string | undefined;
  const server: Server = createServer((client) => {
    const relay = () => {
      const upstream = connect(port, host);
      for (const s of [client, upstream]) {
        open.add(s);
        s.on('close', () => open.delete(s));
        s.on('error', () => s.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        if (cutAt === undefined || !chunk.includes(cutAt)) return void upstream.write(chunk);
        cutAt = undefined; // the statement never reaches the server: the connection drops under it
        client.destroy();
        upstream.destroy();
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    if (!holding) return relay();
    held.push(relay);
    for (const w of heldWaiters.splice(0)) w();
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    cut() {
      holding = true;
      for (const s of open) s.destroy();
    },
    /** drop the connection that next sends a statement holding `text`, before the server gets it */
    cutOnStatement(text: string) {
      cutAt = text;
    },
    /** resolves once a new connection waits in the relay */
    waitForHeld: () => new Promise<void>((resolve) => (held.length > 0 ? resolve() : heldWaiters.push(resolve))),
    release() {
      holding = false;
      for (const relay of held.splice(0)) relay();
    },
    /** relayed connections still open (both ends counted) */
    openCount: () => open.size,
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describePostgres('PostgreSQL listener', () => {
  const database = usePostgresDatabase();
  let relay: ReturnType<typeof startRelay>;
  let relayedUrl = '';

  beforeAll(async () => {
    const url = new URL(database.get().url);
    relay = startRelay(url.hostname, Number(url.port));
    url.port = String(await relay.listen());
    relayedUrl = url.toString();
  });
  afterAll(async () => {
    await relay?.close();
  });

  /** Whether another session can take the files lock exclusively now (its session ends at once). */
  async function filesLockIsFree(): Promise<boolean> {
    return takeFilesLock('SELECT pg_try_advisory_lock($1) AS ok');
  }

  /**
   * Whether another session gets the files lock once the listener's ended session is gone (a backend releases its
   * locks a moment after its client hung up): a lock held on stays refused.
   */
  async function filesLockIsReleased(): Promise<boolean> {
    return takeFilesLock('SELECT pg_advisory_lock($1), true AS ok', "SET lock_timeout = '10s'").catch((err: unknown) => {
      if ((err as { cause?: { code?: string } }).cause?.code === '55P03') return false; // lock_not_available, as the driver wraps it
      throw err;
    });
  }

  async function takeFilesLock(statement: string, setup?: string): Promise<boolean> {
    const session = await connectPostgresSession(database.get().url, 'files lock check');
    try {
      if (setup) await session.query(setup);
      const { rows } = await session.query(statement, [FILES_LOCK]);
      return rows[0]?.['ok'] === true;
    } finally {
      await session.end();
    }
  }

  it('a lost connection is made again and takes the files lock back; close() then releases it', async () => {
    let connectedAgain!: () => void;
    const reconnected = new Promise<void>((resolve) => (connectedAgain = resolve));
    const listener = await startPostgresListener({ url: relayedUrl, log: (_level, message) => message.includes('connected again') && connectedAgain() });
    try {
      expect(await listener.claimFiles('local')).toBe(true);
      relay.cut();
      await relay.waitForHeld();
      relay.release();
      await reconnected;
      expect(await filesLockIsFree()).toBe(false);
    } finally {
      await listener.close();
    }
    expect(await filesLockIsReleased()).toBe(true);
  }, 30_000);

  it('a connection lost again while it takes the files lock back still takes it on the next one', async () => {
    let connections = 0;
    let waiter: { n: number; resolve: () => void } | undefined;
    const listener = await startPostgresListener({
      url: relayedUrl,
      log: (_level, message) => {
        if (!message.includes('connected again')) return;
        connections++;
        if (waiter && connections >= waiter.n) waiter.resolve();
      },
    });
    const reconnected = (n: number) => new Promise<void>((resolve) => (connections >= n ? resolve() : (waiter = { n, resolve })));
    try {
      expect(await listener.claimFiles('local')).toBe(true);
      relay.cutOnStatement('pg_try_advisory_lock'); // the lock taken again on the new connection: lost under it
      relay.cut();
      await relay.waitForHeld();
      relay.release();
      await reconnected(2); // the connection after that one
      expect(await filesLockIsFree()).toBe(false);
    } finally {
      await listener.close();
    }
    expect(await filesLockIsReleased()).toBe(true);
  }, 30_000);

  it('a lock another process took during the outage: the error names it (here migrate-data\'s session), not "another Galley instance"; taken back once it is free', async () => {
    const errors: string[] = [];
    let connectedAgain!: () => void;
    const reconnected = new Promise<void>((resolve) => (connectedAgain = resolve));
    let lockBack!: () => void;
    const takenBack = new Promise<void>((resolve) => (lockBack = resolve));
    const listener = await startPostgresListener({
      url: relayedUrl,
      log: (level, message) => {
        if (level === 'error') errors.push(message);
        if (message.includes('connected again')) connectedAgain();
        if (message === 'files lock: taken back') lockBack();
      },
    });
    const copy = await connectPostgresSession(database.get().url, MIGRATE_DATA_APPLICATION);
    try {
      expect(await listener.claimFiles('s3')).toBe(true);
      relay.cut();
      await relay.waitForHeld();
      await expect(filesLockIsReleased()).resolves.toBe(true); // the lost session's lock is gone: free for the copy
      expect((await copy.query('SELECT pg_try_advisory_lock($1) AS ok', [FILES_LOCK])).rows[0]?.['ok']).toBe(true);
      const { rows } = await copy.query('SELECT pg_backend_pid() AS pid');
      relay.release();
      await reconnected;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`files lock: not taken back after the connection was lost: galley migrate-data (backend pid ${String(rows[0]?.['pid'])}, connected since `);
      expect(errors[0]).not.toContain('another Galley instance');
      // once the copy lets go, the lock is taken back without another reconnect
      await copy.end();
      await takenBack;
      expect(await filesLockIsFree()).toBe(false);
    } finally {
      await copy.end();
      await listener.close();
    }
  }, 30_000);

  it('a claim made while the connection is lost waits for the new one and takes the lock there', async () => {
    let connectedAgain!: () => void;
    const reconnected = new Promise<void>((resolve) => (connectedAgain = resolve));
    const listener = await startPostgresListener({ url: relayedUrl, log: (_level, message) => message.includes('connected again') && connectedAgain() });
    try {
      expect(await listener.claimFiles('s3')).toBe(true);
      relay.cut();
      await relay.waitForHeld();
      const claim = listener.claimFiles('local'); // a settings save moving files to local disk, during the outage
      relay.release();
      await expect(claim).resolves.toBe(true);
      await reconnected;
      expect(await filesLockIsFree()).toBe(false); // held exclusively by the new session
    } finally {
      await listener.close();
    }
    expect(await filesLockIsReleased()).toBe(true);
  }, 30_000);

  it('a close() while a lost connection is being made again leaves neither the connection nor the files lock', async () => {
    const lines: string[] = [];
    let connectedAgain!: () => void;
    const reconnected = new Promise<void>((resolve) => (connectedAgain = resolve));
    const listener = await startPostgresListener({
      url: relayedUrl,
      log: (_level, message) => {
        lines.push(message);
        if (message.includes('connected again')) connectedAgain();
      },
    });
    expect(await listener.claimFiles('local')).toBe(true);
    expect(await filesLockIsFree()).toBe(false);

    relay.cut(); // the connection is lost; its new one waits in the relay
    await relay.waitForHeld();
    await listener.close();
    relay.release();
    // the new connection is made after close(): it must end at once instead of taking the lock back
    await Promise.race([reconnected, waitUntilClosed(relay)]);
    expect(lines.filter((l) => l.includes('connected again'))).toEqual([]);
    expect(await filesLockIsReleased()).toBe(true);
    expect(relay.openCount()).toBe(0);
  }, 30_000);
});

/** Resolves once a connection was relayed and every relayed connection has closed again. */
async function waitUntilClosed(relay: { openCount(): number }): Promise<void> {
  let seen = false;
  for (;;) {
    const n = relay.openCount();
    if (n > 0) seen = true;
    else if (seen) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
