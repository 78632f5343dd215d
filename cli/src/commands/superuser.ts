import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { createDatabaseOption, createDirOption } from '../options.ts';
import { ExitStatus } from './migrate.ts';

interface UpsertOptions {
  dir: string;
  database?: string;
  passwordStdin?: boolean;
  passwordFile?: string;
}

/** The first line on standard input (a pipe, or a line typed at the terminal), without its line break. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (shown as typed), then Enter: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  process.stdin.pause();
  return text.split(/\r?\n/)[0] ?? '';
}

function readPasswordFile(path: string): string {
  try {
    // one trailing newline is the editor's, not the password's
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new Error(`cannot read the password file ${path}: ${(err as Error).message}`);
  }
}

/** The password from exactly one place: the argument, `-`/--password-stdin, or --password-file. */
async function resolvePassword(command: Command, password: string | undefined, opts: UpsertOptions): Promise<string> {
  const fromStdin = opts.passwordStdin === true || password === '-';
  const sources = [password !== undefined && password !== '-', fromStdin, opts.passwordFile !== undefined].filter(Boolean).length;
  if (sources === 0) command.error("error: missing required argument 'password'", { exitCode: 2, code: 'commander.missingArgument' });
  if (sources > 1) command.error('error: give the password one way only: as PASSWORD, as - / --password-stdin, or with --password-file', { exitCode: 2, code: 'commander.conflictingOption' });
  if (opts.passwordFile !== undefined) return readPasswordFile(opts.passwordFile);
  if (fromStdin) return readPasswordFromStdin();
  return password!;
}

/** A typo in --dir must not pass silently for a new database: say so when the directory holds none yet. */
function hasDatabase(dir: string): boolean {
  return existsSync(join(dir, 'data.db'));
}

export function addSuperuserCommand(program: Command): void {
  const superuser = program
    .command('superuser')
    .description('manage superusers (works while a server runs on the same data directory)');

  superuser
    .command('upsert')
    .description('create a superuser, or set the password of an existing one')
    .argument('<email>', 'the superuser\'s email')
    .argument('[password]', 'the new password; "-" reads it from standard input (keeps it out of the shell history)')
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .option('--password-stdin', 'read the password from standard input (its first line)')
    .addOption(new Option('--password-file <file>', 'read the password from a file (one trailing newline dropped)'))
    .action(async (email: string, password: string | undefined, opts: UpsertOptions, command: Command) => {
      const secret = await resolvePassword(command, password, opts);
      const { upsertSuperuser } = await import('@galley/server');
      const dir = resolve(opts.dir);
      const fresh = opts.database || hasDatabase(dir) ? undefined : existsSync(dir) ? 'database in' : 'data directory at';
      const outcome = await upsertSuperuser({ dir: opts.dir, database: opts.database }, email, secret);
      if (fresh) console.log(`Created a new ${fresh} ${dir}`);
      console.log(`Successfully saved superuser "${email}"!${outcome === 'created' ? ' (created)' : ' (password changed; its earlier sessions ended)'}`);
    });

  superuser
    .command('list')
    .description('list the superusers (email and when each was created)')
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .action(async (opts: { dir: string; database?: string }) => {
      const { listSuperusers } = await import('@galley/server');
      const found = await listSuperusers({ dir: opts.dir, database: opts.database });
      if (!found) {
        console.error(`No database in ${resolve(opts.dir)}: no superusers (is --dir right?).`);
        throw new ExitStatus(1);
      }
      if (found.superusers.length === 0) {
        console.log(`No superusers in ${found.dbFile}. Create one: galley superuser upsert EMAIL PASSWORD ${opts.database ? '--database URL' : `--dir ${opts.dir}`}`);
        return;
      }
      const width = Math.max(5, ...found.superusers.map((s) => s.email.length));
      console.log(`${'EMAIL'.padEnd(width)}  CREATED`);
      for (const s of found.superusers) console.log(`${s.email.padEnd(width)}  ${s.created}`);
    });

  superuser
    .command('delete')
    .description('delete a superuser')
    .argument('<email>', 'the superuser\'s email')
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .action(async (email: string, opts: { dir: string; database?: string }) => {
      const dir = resolve(opts.dir);
      // Galley differs from PocketBase here (it answers success): a missing superuser is an error a script can see
      if (!opts.database && !hasDatabase(dir)) {
        console.error(`Error: no database in ${dir}, so no superuser "${email}" (is --dir right?). Nothing was deleted.`);
        throw new ExitStatus(1);
      }
      const { deleteSuperuser } = await import('@galley/server');
      if (!(await deleteSuperuser({ dir: opts.dir, database: opts.database }, email))) {
        console.error(`Error: no superuser "${email}" in ${opts.database ? 'the database' : join(dir, 'data.db')}. Nothing was deleted (galley superuser list shows them).`);
        throw new ExitStatus(1);
      }
      console.log(`Successfully deleted superuser "${email}"!`);
    });
}
