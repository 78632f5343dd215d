// The README's quick start, run as written so it cannot drift: each code block marked `<!-- tested: NAME -->` is read
// out of README.md and run for real against the compiled binary serving schema-examples/blog.json (what `npm start`
// serves): the superuser command through a shell, the SDK snippet as a .mjs under Node, the example schema served.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { BINARY, runBinary, startBinary, type RunningBinary } from './helpers/binary.ts';
import { expectError } from './helpers/sdk-errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BLOG = join(ROOT, 'schema-examples', 'blog.json');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Where the README sends the SDK: `npm start`'s address (galley serve's default). */
const README_URL = 'http://127.0.0.1:8090';

/** The fenced block right after `<!-- tested: name -->`. */
function readmeBlock(name: string): { lang: string; code: string } {
  const m = new RegExp(`<!-- tested: ${name} -->\\s*\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (!m) throw new Error(`README.md has no code block marked <!-- tested: ${name} -->`);
  return { lang: m[1]!, code: m[2]! };
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

const servers: RunningBinary[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("README's quick start against the binary", () => {
  it('says what npm start serves, at the address galley serve listens on by default', async () => {
    const start = readmeBlock('quickstart-start');
    expect(start.code).toContain('npm start');
    expect(start.code).toContain('schema-examples/blog.json');
    expect(start.code).toContain(README_URL);
    expect(readFileSync(join(ROOT, 'scripts', 'start.ts'), 'utf8')).toMatch(/schema-examples['"/, ]+blog\.json/);
    const help = await runBinary(['serve', '--help']);
    expect(help.stdout).toContain('"127.0.0.1:8090"');
  });

  it('runs the superuser command and the SDK snippet as written (Node, realtime with eventsource)', async () => {
    const server = await startBinary({ schema: BLOG });
    servers.push(server);

    // the README's command, with the binary and data dir of this test in place of dist/galley and ./galley_data
    const command = readmeBlock('quickstart-superuser').code.trim();
    expect(command).toMatch(/^dist\/galley superuser upsert .* --dir \.\/galley_data$/);
    const shellLine = command.replace(/^dist\/galley/, shellQuote(BINARY)).replace(/\.\/galley_data$/, shellQuote(server.dir));
    const upsert = await runProcess('sh', ['-c', shellLine], ROOT, () => false);
    expect(upsert, upsert.stderr).toMatchObject({ code: 0 });

    const sdk = readmeBlock('quickstart-sdk');
    expect(sdk.lang).toBe('js');
    expect(sdk.code).toContain(`new PocketBase('${README_URL}')`);
    const work = mkdtempSync(join(tmpdir(), 'galley-readme-'));
    dirs.push(work);
    // the README's `npm install pocketbase@X eventsource@Y` names the versions tested here: the repository's copies
    const pinned = (name: string, parts: number) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version.split('.').slice(0, parts).join('.');
    expect(README).toContain(`npm install pocketbase@${pinned('pocketbase', 2)} eventsource@${pinned('eventsource', 1)}\``);
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
    writeFileSync(join(work, 'quickstart.mjs'), sdk.code.replaceAll(README_URL, server.url));
    // the subscription keeps the script running, as the README says: stop it once both lines are out
    const done = (out: string) => out.includes('1 news') && out.includes('realtime: create Hello');
    const ran = await runProcess('node', ['quickstart.mjs'], work, done);
    expect(ran.stderr.split('\n').slice(-12).join('\n'), 'stderr (its end: the error, not the minified line it points at)').toBe('');
    expect(ran.stdout.split('\n')).toEqual(expect.arrayContaining(['1 news', 'realtime: create Hello']));
    expect(ran.code, 'the snippet ended by itself: its subscription did not keep it running').toBeNull();

    // what the snippet did is really there
    const admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword('admin@example.com', 'a-long-password');
    const posts = await admin.collection('posts').getFullList({ expand: 'author,tags' });
    expect(posts).toMatchObject([{ title: 'Hello', slug: 'hello', expand: { author: { email: 'a@example.com' }, tags: [{ name: 'news' }] } }]);
  }, 120_000);

  it("serves the example schema, whose rules bind a note to its owner", async () => {
    const block = readmeBlock('schema-notes');
    expect(block.lang).toBe('json');
    const server = await startBinary({ schema: JSON.parse(block.code) });
    servers.push(server);
    const signUp = async (email: string) => {
      const pb = new PocketBase(server.url);
      pb.autoCancellation(false);
      const user = await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
      await pb.collection('users').authWithPassword(email, 'password123');
      return { pb, id: user.id };
    };
    const alice = await signUp('alice@example.com');
    const bob = await signUp('bob@example.com');
    const notes = alice.pb.collection('notes');

    await expectError(notes.create({ text: 'no owner' }), 400);
    await expectError(notes.create({ text: "in bob's name", owner: bob.id }), 400);
    await expectError(new PocketBase(server.url).collection('notes').create({ text: 'anonymous', owner: alice.id }), 400);
    const note = await notes.create({ text: 'mine', owner: alice.id });

    expect((await bob.pb.collection('notes').getList()).items).toEqual([]);
    await expectError(bob.pb.collection('notes').update(note.id, { text: 'taken' }), 404);
    await expectError(notes.update(note.id, { owner: bob.id }), 404);
    expect(await notes.update(note.id, { text: 'still mine' })).toMatchObject({ text: 'still mine', owner: alice.id });
    expect((await notes.getList()).items.map((n) => n.text)).toEqual(['still mine']);
  }, 60_000);
});

/** Runs a process until it exits, or until `done(stdout)` (then SIGTERM; code null); 60 s at most. */
function runProcess(command: string, args: string[], cwd: string, done: (stdout: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (done(stdout)) proc.kill('SIGTERM');
    });
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
