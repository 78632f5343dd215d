/**
 * Realtime between instances on one PostgreSQL database (issue 17): each committed record change of this
 * instance is NOTIFYed on `galley_records`, and each other instance's change heard there is delivered to this
 * instance's subscribers as if it were its own (the broker checks the rules per subscriber, as for a local write).
 *
 * A notification carries the change whole: the instance, the action, the collection id and the row as committed,
 * so a receiver reads nothing for it, and judges the rules on those values (`fromAnotherInstance`: by the time it
 * hears a change the row may have changed again or be gone, as a create followed at once by a delete). PostgreSQL caps a payload at 8000 bytes: a larger change is stored in
 * `_galley_events` and the notification names its row (kept a minute, for receivers that are behind). One
 * instance's notifications go in commit order through its listener connection (several per statement), and are
 * handled in the order they arrive. After a lost listener connection the changes made meanwhile are not
 * delivered, as on a realtime client's own reconnect.
 */
import { sql, type Kysely } from 'kysely';
import type { Core } from '../core.ts';
import { POSTGRES_RECORDS_CHANNEL } from '../db/postgres-notify.ts';
import type { PostgresListener } from '../db/postgres-listener.ts';
import type { RecordEvent } from '../hooks/event-bus.ts';
import { randomString } from '../lib/ids.ts';

/** One change on the wire between instances: instance, sequence (identical payloads in one statement would merge), action, collection id, row. */
interface ChangeNote {
  i: string;
  s: number;
  a: RecordEvent['action'];
  c: string;
  r?: Record<string, unknown>;
  /** instead of `r`: the `_galley_events` row holding the whole note */
  e?: number;
}

/** Under PostgreSQL's 8000-byte payload limit, with room to spare. */
const MAX_PAYLOAD_BYTES = 7_800;
const KEEP_STORED_MS = 60_000;

/** The table of changes too large for a notification; created at start under the schema lock (postgres-start.ts). */
export const POSTGRES_EVENTS_DDL = `CREATE TABLE IF NOT EXISTS "_galley_events" (
  "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "note" text NOT NULL,
  "created" timestamptz NOT NULL DEFAULT now()
);`;

export interface RecordFanout {
  /** Stop sending and receiving; waits for what is being sent. */
  stop(): Promise<void>;
}

/** `pool`: the database's pool (never a write job's connection; changes are sent after their commit). */
export function startRecordFanout(core: Core, listener: PostgresListener, pool: Kysely<any>): RecordFanout {
  const instance = randomString(12);
  let seq = 0;
  let outbox: RecordEvent[] = [];
  let scheduled = false;
  let sending: Promise<void> = Promise.resolve();
  let receiving: Promise<void> = Promise.resolve();
  let stopped = false;
  let lastPrune = 0;

  const warn = (what: string, err: unknown) => core.log.warn(`realtime between instances: ${what}`, { error: String((err as Error)?.message ?? err) });

  const store = async (note: ChangeNote): Promise<number> => {
    const now = Date.now();
    if (now - lastPrune > KEEP_STORED_MS / 2) {
      lastPrune = now;
      await sql`DELETE FROM "_galley_events" WHERE "created" < now() - make_interval(secs => ${KEEP_STORED_MS / 1000})`.execute(pool);
    }
    const row = await sql<{ id: number }>`INSERT INTO "_galley_events" ("note") VALUES (${JSON.stringify(note)}) RETURNING "id"`.execute(pool);
    return Number(row.rows[0]!.id);
  };

  const send = async (events: RecordEvent[]): Promise<void> => {
    const payloads: string[] = [];
    for (const event of events) {
      const note: ChangeNote = { i: instance, s: ++seq, a: event.action, c: event.collection.id, r: event.row };
      let payload = JSON.stringify(note);
      if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) payload = JSON.stringify({ i: instance, s: note.s, a: note.a, c: note.c, e: await store(note) } satisfies ChangeNote);
      payloads.push(payload);
    }
    await listener.notify(POSTGRES_RECORDS_CHANNEL, payloads);
  };

  const flush = (): void => {
    scheduled = false;
    const events = outbox;
    outbox = [];
    sending = sending.then(() => send(events)).catch((err: unknown) => warn(`${events.length} change(s) not sent to the other instances`, err));
  };

  const unhook = core.hooks.onRecord((event) => {
    if (stopped || event.fromAnotherInstance) return;
    outbox.push(event);
    // the changes of one turn (a group of commits) go in one statement
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });

  const receive = async (payload: string): Promise<void> => {
    let note = JSON.parse(payload) as ChangeNote;
    if (note.i === instance) return;
    if (note.e !== undefined) {
      const { rows } = await sql<{ note: string }>`SELECT "note" FROM "_galley_events" WHERE "id" = ${note.e}`.execute(pool);
      if (!rows[0]) throw new Error(`change ${note.e} is no longer stored`);
      note = JSON.parse(rows[0].note) as ChangeNote;
    }
    const collection = core.schema.collections.find((c) => c.id === note.c);
    // a collection this instance does not serve (yet, or any more): nobody here can be subscribed to it
    if (!collection || !note.r) return;
    core.hooks.emitRecord({ action: note.a, collection, row: note.r, fromAnotherInstance: true });
  };

  listener.on(POSTGRES_RECORDS_CHANNEL, (payload) => {
    if (stopped) return;
    receiving = receiving.then(() => receive(payload)).catch((err: unknown) => warn('a change from another instance was not delivered', err));
  });

  return {
    async stop() {
      stopped = true;
      unhook();
      if (scheduled) flush();
      await sending;
      await receiving;
    },
  };
}
