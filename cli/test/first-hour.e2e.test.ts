// A new user's first hour with the compiled binary (issue 19): what serve prints, GET /, the superuser
// commands, schema errors that name the collection and field, and --dev saying a fixed file is valid again.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import PocketBase from 'pocketbase';
import { afterEach, describe, expect, it } from 'vitest';
import { BINARY, makeTempDir, runBinary, startBinary, type RunningBinary, type StartOptions } from './helpers/binary.ts';

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: null };
const SCHEMA = {
  collections: [
    { name: 'posts', type: 'base', ...open, fields: [{ name: 'title', type: 'text' }] },
    { name: 'members', type: 'auth', ...open, fields: [] },
  ],
};

const running: RunningBinary[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((b) => b.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

async function serve(opts: StartOptions): Promise<RunningBinary> {
  const b = await startBinary(opts);
  running.push(b);
  return b;
}

async function until(what: string, b: RunningBinary, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${b.output().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('what galley serve prints', () => {
  it('the schema and its collections, the migrations applied, dev mode, and how to create a superuser; then a restart and a start without --schema', async () => {
    const dir = tempDir();
    const first = await serve({ dir, schema: SCHEMA });
    const out = first.output().stdout;
    expect(out).toContain(`├─ Schema: ${join(dir, 'schema.json')}, 2 collections (1 base, 1 auth): posts, members\n`);
    expect(out).toMatch(/├─ Migrations on start: \d+ steps applied\n│ {4}1\. /);
    expect(out).toContain('create table "posts"');
    expect(out).toContain('├─ Dev mode: off');
    // the binary as this shell would run it: a path, since the test's binary is not on PATH
    const command = relative(process.cwd(), BINARY).startsWith('..') ? BINARY : relative(process.cwd(), BINARY);
    // the binary embeds the dashboard: its URL, and a one-time link that creates the first superuser in the browser
    expect(out).toContain(`├─ Dashboard: ${first.url}/_/\n`);
    expect(out).toMatch(/└─ Superusers: none yet; create the first one in the browser \(this link works once, for 30 minutes\):\n {5}http:\/\/\S+\/_\/#\/install\?token=[\w-]{43}\n/);
    expect(out).toContain(`     or: ${command} superuser upsert EMAIL PASSWORD --dir ${dir}\n`);
    const stopped = await first.stop();
    expect(stopped.stderr).not.toContain('orphan file sweep'); // internal report: debug level only

    expect((await runBinary(['superuser', 'upsert', 'root@example.com', 'a-long-password', '--dir', dir])).code).toBe(0);
    const again = await serve({ dir, schema: join(dir, 'schema.json'), args: ['--dev'] });
    expect(again.output().stdout).toContain('├─ Migrations on start: none (the database already matched)\n');
    expect(again.output().stdout).toContain(`├─ Dev mode: on, watching ${join(dir, 'schema.json')}`);
    expect(again.output().stdout).toContain('└─ Superusers: 1\n');
    await again.stop();

    const stored = await serve({ dir });
    expect(stored.output().stdout).toContain('├─ Schema: no schema file: serving the schema applied to data.db, 2 collections (1 base, 1 auth): posts, members\n');
    const pb = new PocketBase(stored.url);
    expect(await pb.collection('posts').create({ title: 'served from data.db' })).toMatchObject({ title: 'served from data.db' });
  });

  it('a new directory without --schema says only system collections are served', async () => {
    const b = await serve({});
    expect(b.output().stdout).toContain('├─ Schema: no schema file and no schema applied yet: only the system collections (start with --schema FILE)\n');
  });

  it('GET / says what the server is: JSON when asked for, else a small HTML page; no secrets', async () => {
    const b = await serve({ schema: SCHEMA });
    const json = await fetch(`${b.url}/`, { headers: { Accept: 'application/json' } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(await json.json()).toEqual({
      name: 'Galley',
      description: 'A PocketBase-compatible backend: REST API over SQLite, from a schema file.',
      api: '/api/',
      health: '/api/health',
      dashboard: '/_/',
    });
    const html = await fetch(`${b.url}/`, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('<a href="/api/">/api/</a>');
    expect(page).not.toMatch(/posts|members|smtp|secret/i);
    expect((await fetch(`${b.url}/nothing-here`)).status).toBe(404);
  });
});

describe('galley superuser', () => {
  it('upsert into a missing directory says it creates it; list shows emails and times, never hashes', async () => {
    const dir = join(tempDir(), 'typo_data');
    const made = await runBinary(['superuser', 'upsert', 'a@example.com', 'a-long-password', '--dir', dir]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Created a new data directory at ${dir}\n`);
    const second = await runBinary(['superuser', 'upsert', 'b@example.com', 'b-long-password', '--dir', dir]);
    expect(second.stdout).not.toContain('Created');
    const badEmail = await runBinary(['superuser', 'upsert', 'not-an-email', 'a-long-password', '--dir', join(dir, '..', 'typo2')]);
    expect(badEmail.code).toBe(1);
    expect(badEmail.stdout).not.toContain('Created');
    const schema = join(dir, '..', 'schema.json');
    writeFileSync(schema, JSON.stringify(SCHEMA));
    const migrated = await runBinary(['migrate', 'apply', '--schema', schema, '--dir', join(dir, '..', 'typo3')]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`Created a new data directory at ${join(dir, '..', 'typo3')}\n`);

    const list = await runBinary(['superuser', 'list', '--dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^EMAIL +CREATED\na@example\.com +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\nb@example\.com +\d{4}-/);
    expect(list.stdout).not.toMatch(/\$argon2|\$2[aby]\$|password|tokenKey/i);

    const missing = await runBinary(['superuser', 'list', '--dir', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No database in');
  });

  it('delete of a superuser that does not exist exits 1 and says so; an existing one is deleted', async () => {
    const dir = tempDir();
    expect((await runBinary(['superuser', 'upsert', 'a@example.com', 'a-long-password', '--dir', dir])).code).toBe(0);
    const missing = await runBinary(['superuser', 'delete', 'ghost@example.com', '--dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no superuser "ghost@example.com"');
    const noDb = await runBinary(['superuser', 'delete', 'a@example.com', '--dir', join(dir, 'elsewhere')]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('Nothing was deleted');
    const deleted = await runBinary(['superuser', 'delete', 'a@example.com', '--dir', dir]);
    expect(deleted.code).toBe(0);
    expect((await runBinary(['superuser', 'list', '--dir', dir])).stdout).toContain('No superusers in');
  });

  it('the password comes from standard input (- or --password-stdin) or a file, and signs in exactly as given', async () => {
    const b = await serve({ schema: SCHEMA });
    const secrets = join(tempDir(), 'pw.txt');
    writeFileSync(secrets, 'from the file 3\n');
    const cases: Array<[string, string[], string | undefined, string]> = [
      ['dash@example.com', ['-'], 'from stdin dash 1\n', 'from stdin dash 1'],
      ['flag@example.com', ['--password-stdin'], 'from stdin flag 2\n', 'from stdin flag 2'],
      ['file@example.com', ['--password-file', secrets], undefined, 'from the file 3'],
    ];
    const pb = new PocketBase(b.url);
    for (const [email, args, input, password] of cases) {
      const r = await runBinary(['superuser', 'upsert', email, ...args, '--dir', b.dir], { input });
      expect(r.code, r.stderr).toBe(0);
      expect((await pb.collection('_superusers').authWithPassword(email, password)).record['email']).toBe(email);
    }
    const both = await runBinary(['superuser', 'upsert', 'x@example.com', 'a-long-password', '--password-file', secrets, '--dir', b.dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give the password one way only');
    const none = await runBinary(['superuser', 'upsert', 'x@example.com', '--dir', b.dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'password'");
  });
});

describe('schema errors and --dev', () => {
  it('a malformed schema names the collection and the field beside each path', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ name: 'tags', type: 'base', fields: [] }, { name: 'posts', type: 'base', fields: [{ name: 'ok', type: 'text' }, { name: 'title', type: 'txt' }] }]));
    const r = await runBinary(['serve', '--schema', file, '--dir', join(dir, 'data'), '--http', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('collections/1/fields/1/type: "txt" is not a field type; did you mean "text"? (collection "posts", field "title")');
  });

  it('serve --dev: a save that fixes a broken file says the file is valid again and applies it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    const b = await serve({ dir: join(dir, 'data'), schema: SCHEMA, args: ['--dev'] });
    const file = join(b.dir, 'schema.json');
    const withField = (type: string) => ({ collections: [SCHEMA.collections[0]!, { ...SCHEMA.collections[1]!, fields: [{ name: 'nick', type }] }] });
    writeFileSync(file, JSON.stringify(withField('txt')));
    await until('the broken save', b, () => b.output().stderr.includes('(collection "members", field "nick")'));
    writeFileSync(file, JSON.stringify(withField('text')));
    await until('the fixed save', b, () => b.output().stderr.includes('(the file is valid again)'));
    expect(b.output().stderr).toMatch(/schema reloaded from .*: 1 step\(s\) applied \(the file is valid again\)/);
    const pb = new PocketBase(b.url);
    const member = await pb.collection('members').create({ email: 'm@example.com', password: 'member-pass-1', passwordConfirm: 'member-pass-1', nick: 'em' });
    expect(member['nick']).toBe('em');
  });
});
