import type { Command } from 'commander';
import { createDirOption } from '../options.ts';

export function addSuperuserCommand(program: Command): void {
  const superuser = program
    .command('superuser')
    .description('manage superusers (works while a server runs on the same data directory)');

  superuser
    .command('upsert')
    .description('create a superuser, or set the password of an existing one')
    .argument('<email>', 'the superuser\'s email')
    .argument('<password>', 'the new password')
    .addOption(createDirOption())
    .action(async (email: string, password: string, opts: { dir: string }) => {
      const { upsertSuperuser } = await import('@galley/server');
      await upsertSuperuser({ dir: opts.dir }, email, password);
      console.log(`Successfully saved superuser "${email}"!`);
    });

  superuser
    .command('delete')
    .description('delete a superuser')
    .argument('<email>', 'the superuser\'s email')
    .addOption(createDirOption())
    .action(async (email: string, opts: { dir: string }) => {
      const { deleteSuperuser } = await import('@galley/server');
      const deleted = await deleteSuperuser({ dir: opts.dir }, email);
      // wire: PocketBase treats deleting a missing superuser as success, with a notice
      if (deleted) console.log(`Successfully deleted superuser "${email}"!`);
      else console.log(`Superuser "${email}" is missing or already deleted.`);
    });
}
