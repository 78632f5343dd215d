// `galley serve --dev` as a user runs it: edit the schema file under the running binary and watch the
// pocketbase SDK see the change; a broken edit keeps the old schema; a data-losing one waits for migrate.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';

const notes = (extra: object[] = []) => ({
  $schema: './galley.schema.json',
  collections: [
    { name: 'notes', type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null, fields: [{ name: 'text', type: 'text' }, ...extra] },
  ],
});

let server: RunningBinary;
let file: string;
let pb: PocketBase;

function save(value: unknown): void {
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n');
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const firstNote = async () => (await pb.collection('notes').getList(1, 1, { sort: 'created' })).items[0] as Record<string, unknown> | undefined;

beforeAll(async () => {
  server = await startBinary({ schema: notes(), args: ['--dev'] });
  file = join(server.dir, 'schema.json');
  pb = new PocketBase(server.url);
  await pb.collection('notes').create({ text: 'first' });
}, 30_000);

afterAll(async () => {
  const exit = await server?.stop();
  expect(exit?.code).toBe(0);
});

describe('galley serve --dev', () => {
  it('a saved new field is served to the SDK, and the record written before keeps its data', async () => {
    save(notes([{ name: 'stars', type: 'number' }]));
    const note = await until('the new field', async () => {
      const n = await firstNote();
      return n && 'stars' in n ? n : undefined;
    });
    expect(note).toMatchObject({ text: 'first', stars: 0 });
    expect(await pb.collection('notes').create({ text: 'second', stars: 4 })).toMatchObject({ stars: 4 });
    expect(server.output().stderr).toContain('schema reloaded from');
  });

  it('an invalid edit prints its problems with their JSON paths and the old schema keeps serving', async () => {
    save(notes([{ name: 'stars', type: 'number' }, { name: 'due', type: 'dat' }]));
    await until('the error', async () => (server.output().stderr.includes('collections/0/fields/2/type: "dat" is not a field type') ? true : undefined));
    expect(server.output().stderr).toContain('still serving the schema loaded before');
    expect(await pb.collection('notes').create({ text: 'third', stars: 1 })).toMatchObject({ stars: 1 });
    expect(await firstNote()).not.toHaveProperty('due');
  });

  it('a data-losing edit waits for `galley migrate apply --allow-data-loss`, then the running server picks it up', async () => {
    save(notes());
    await until('the data-loss notice', async () => (server.output().stderr.includes('picks the change up once it is applied') ? true : undefined));
    expect((await firstNote())?.['stars']).toBe(0);
    const applied = await runBinary(['migrate', 'apply', '--allow-data-loss', '--schema', file, '--dir', server.dir]);
    expect(applied.code, applied.stderr).toBe(0);
    const note = await until('the applied schema', async () => {
      const n = await firstNote();
      return n && !('stars' in n) ? n : undefined;
    });
    expect(note).toMatchObject({ text: 'first' });
  });

  it('in --dev the SDK’s collections.create is written back to the file and served', async () => {
    const up = await runBinary(['superuser', 'upsert', 'root@example.com', 'rootpass123', '--dir', server.dir]);
    expect(up.code, up.stderr).toBe(0);
    await pb.collection('_superusers').authWithPassword('root@example.com', 'rootpass123');
    await pb.collections.create({ name: 'tags', type: 'base', listRule: '', fields: [{ name: 'label', type: 'text' }] });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.collections.map((c: { name: string }) => c.name)).toEqual(['notes', 'tags']);
    expect(written.$schema).toBe('./galley.schema.json');
    pb.authStore.clear();
    expect((await pb.collection('tags').getList()).totalItems).toBe(0);
  });
});
