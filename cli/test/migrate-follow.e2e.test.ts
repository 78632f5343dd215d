// A running `galley serve` (no --dev) follows `galley migrate apply` run as another process: after a rename
// (renamedFrom) and a new field, the SDK sees the renamed field's data and writes the new field, without a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null };
const notes = (fields: object[]) => ({ collections: [{ name: 'notes', type: 'base', ...open, fields }] });

let server: RunningBinary;
let file: string;
let pb: PocketBase;

/** Polls `check` until it answers something (bounded: 15 s), for the switch the server makes on its own. */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  server = await startBinary({ schema: notes([{ name: 'text', type: 'text' }]) });
  file = join(server.dir, 'schema.json');
  pb = new PocketBase(server.url);
  await pb.collection('notes').create({ text: 'written before the migration' });
}, 30_000);

afterAll(async () => {
  const exit = await server?.stop();
  expect(exit?.code).toBe(0);
});

describe('galley serve follows galley migrate apply (no --dev)', () => {
  it('a rename with renamedFrom and an added field are served once applied from the CLI: data kept, new field written', async () => {
    writeFileSync(file, JSON.stringify(notes([{ name: 'body', type: 'text', renamedFrom: 'text' }, { name: 'stars', type: 'number' }])));
    const applied = await runBinary(['migrate', 'apply', '--schema', file, '--dir', server.dir]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('rename column "notes"."text" to "body"');
    expect(applied.stdout).toContain(`The server running on this directory (pid ${server.proc.pid}, ${server.url}, since `);

    const first = await until('the renamed field', async () => {
      const item = (await pb.collection('notes').getFullList())[0];
      return item && 'body' in item ? item : undefined;
    });
    expect(first).toMatchObject({ body: 'written before the migration', stars: 0 });
    expect(first).not.toHaveProperty('text');
    const created = await pb.collection('notes').create({ body: 'after', stars: 4 });
    expect(await pb.collection('notes').getOne(created.id)).toMatchObject({ body: 'after', stars: 4 });
    expect(server.output().stderr).toContain(`now serving the schema file ${file}`);
    expect(server.output().stderr).not.toMatch(/unclassified error|no such column|has no column/);
  });

  it('a schema applied from another file is served as the database holds it (the applied schema)', async () => {
    const other = join(server.dir, 'other.json');
    writeFileSync(other, JSON.stringify(notes([{ name: 'body', type: 'text' }, { name: 'stars', type: 'number' }, { name: 'tag', type: 'text' }])));
    const applied = await runBinary(['migrate', 'apply', '--schema', other, '--dir', server.dir]);
    expect(applied.code, applied.stderr).toBe(0);

    await until('the new field', async () => {
      const item = (await pb.collection('notes').getFullList({ sort: 'created' }))[0];
      return item && 'tag' in item ? item : undefined;
    });
    expect(await pb.collection('notes').create({ body: 'tagged', tag: 'x' })).toMatchObject({ body: 'tagged', tag: 'x' });
    expect(server.output().stderr).toContain('now serving the applied schema from data.db');
    expect(server.output().stderr).toContain(`which differs from ${file}`);
  });
});
