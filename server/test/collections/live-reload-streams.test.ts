// Live reload and long-lived requests: an open realtime stream and an upload whose body is still streaming
// in do not count as requests in flight, so a schema change applies at once (not after the gate's 5 s
// bound); the subscription keeps working and gets the new field; the upload finishes on the new schema.
import { EventSource } from 'eventsource';
import PocketBase, { type RecordSubscription } from 'pocketbase';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSchemaService } from '../../src/admin/schema-service.ts';
import { signUp } from '../helpers/test-galley.ts';
import { startFileGalley, type FileGalley } from './harness.ts';

const notes = (extra: object[] = []) => ({
  collections: [
    { name: 'users', type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [] },
    {
      name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '@request.auth.id != ""', updateRule: '', deleteRule: null,
      fields: [{ name: 'text', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1 }, ...extra],
    },
  ],
});

const hadEventSource = 'EventSource' in globalThis;
const previous = (globalThis as { EventSource?: unknown }).EventSource;
beforeAll(() => void ((globalThis as { EventSource?: unknown }).EventSource = EventSource));
afterAll(() => {
  if (hadEventSource) (globalThis as { EventSource?: unknown }).EventSource = previous;
  else delete (globalThis as { EventSource?: unknown }).EventSource;
});

let g: FileGalley | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

function reloaderOf(galley: FileGalley) {
  const service = findSchemaService(galley.galley.core);
  if (!service) throw new Error('no schema service');
  return service.reloader;
}

/** Save the file and apply it now (the watcher's own reload of the same save then finds nothing to do). */
async function saveAndReload(galley: FileGalley, schema: unknown): Promise<void> {
  galley.writeSchema(schema);
  await reloaderOf(galley).reloadFromFile();
}

const STALL_WARNING = 'still running after';

describe('live reload with long-lived requests', () => {
  it('an open SDK realtime subscription does not hold a reload; it keeps working and sees the new field', async () => {
    g = await startFileGalley(notes(), { dev: true });
    const { url } = await g.galley.listen('127.0.0.1:0');
    const user = await signUp(g, 'users', { email: 'u@example.com' });
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    const got: RecordSubscription[] = [];
    let wake: () => void = () => {};
    await pb.collection('notes').subscribe('*', (e) => {
      got.push(e);
      wake();
    });
    const until = async (n: number) => {
      while (got.length < n) await new Promise<void>((r) => (wake = r));
    };
    expect(reloaderOf(g).gate.inFlight()).toBe(0); // the stream's request ended with its headers

    await saveAndReload(g, notes([{ name: 'stars', type: 'number' }]));
    expect(g.galley.core.schema.findCollection('notes')!.fields.map((f) => f.name)).toContain('stars');
    expect(g.logs.join('\n')).not.toContain(STALL_WARNING);

    const created = await g.call('POST', '/api/collections/notes/records', { body: { text: 'after', stars: 4 }, auth: user.token });
    expect(created.status, created.text).toBe(200);
    await until(1);
    expect(got[0]).toMatchObject({ action: 'create', record: { id: created.json.id, text: 'after', stars: 4 } });
    await pb.realtime.unsubscribe();
  });

  it('an upload whose body is still arriving does not hold a reload; it then finishes on the new schema', async () => {
    g = await startFileGalley(notes(), { dev: true });
    const user = await signUp(g, 'users', { email: 'u@example.com' });
    const boundary = 'galleyboundary42';
    const enc = new TextEncoder();
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nslow\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="doc"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n` +
        'x'.repeat(64 * 1024),
    );
    const tail = enc.encode(
      'y'.repeat(1024) +
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nsent while the schema changed\r\n--${boundary}--\r\n`,
    );
    let pulled!: () => void;
    const reading = new Promise<void>((r) => (pulled = r));
    let sendRest!: () => void;
    const rest = new Promise<void>((r) => (sendRest = r));
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(head),
      // asked for more: the server has taken the first chunk and waits for the rest of the body
      async pull(c) {
        pulled();
        await rest;
        c.enqueue(tail);
        c.close();
      },
    });
    const request = new Request('http://127.0.0.1:8090/api/collections/notes/records', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: user.token },
      body,
      duplex: 'half',
    } as RequestInit);
    const answer = g.galley.handle(request);
    await reading;
    expect(reloaderOf(g).gate.inFlight()).toBe(0);

    await saveAndReload(g, notes([{ name: 'note', type: 'text' }]));
    expect(g.galley.core.schema.findCollection('notes')!.fields.map((f) => f.name)).toContain('note');
    expect(g.logs.join('\n')).not.toContain(STALL_WARNING);

    sendRest();
    const res = await answer;
    const json = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(200);
    // `note` exists only in the new schema: the service ran wholly on it
    expect(json).toMatchObject({ text: 'slow', note: 'sent while the schema changed' });
    const file = await g.call('GET', `/api/files/notes/${json.id}/${json.doc}`);
    expect(file.text).toBe('x'.repeat(64 * 1024) + 'y'.repeat(1024));
  });
});
