import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { createDatabaseOption, createDirOption, ENV_SCHEMA } from '../options.ts';

/** Ends a command with this exit code and nothing more printed (a pending plan is not an error). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}

interface MigrateOptions {
  dir: string;
  database?: string;
  schema: string;
  sql?: boolean;
  allowDataLoss?: boolean;
}

const EXIT_CODES = `
Exit codes: 0 = the database matches the schema file, 1 = steps are pending (or were refused), 2 = usage error.`;

const schemaOption = () => new Option('--schema <file>', 'the schema file (JSON, or TypeScript: .ts/.mts)').env(ENV_SCHEMA).makeOptionMandatory();
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const print = (lines: string[]): void => void process.stdout.write(lines.map((l) => `${l}\n`).join(''));

export function addMigrateCommand(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('bring the database to the schema file: plan, apply, status, history (works while a server runs on the same data directory)');

  migrate
    .command('plan')
    .description('print the steps that would bring the database to the schema file, in plain words with their SQL')
    .addOption(schemaOption())
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .option('--no-sql', 'leave out the SQL of each step')
    .addHelpText('after', EXIT_CODES)
    .action(async (opts: MigrateOptions) => {
      const { previewMigration, formatPlanSteps, countLossySteps } = await import('@galley/server');
      const { plan, dbFile, schemaFile } = await previewMigration({ dir: opts.dir, database: opts.database, schemaFile: opts.schema });
      if (plan.steps.length === 0) return print([`Nothing to apply: ${dbFile} matches ${schemaFile}.`]);
      const lossy = countLossySteps(plan.steps);
      const refused = plan.steps.filter((s) => s.refused).length;
      const lines = [`Plan for ${dbFile} → ${schemaFile}: ${plural(plan.steps.length, 'step')}, ${lossy} losing data.`, ''];
      lines.push(...formatPlanSteps(plan.steps, { sql: opts.sql !== false }), '');
      if (refused > 0) lines.push(`${plural(refused, 'step')} cannot run on the data as it is: change those records or the schema file.`);
      else if (lossy > 0) lines.push('Some steps lose data: apply with `galley migrate apply --allow-data-loss` once you have reviewed them.');
      else lines.push('Apply with `galley migrate apply` (or start `galley serve`, which applies safe plans).');
      print(lines);
      throw new ExitStatus(1);
    });

  migrate
    .command('apply')
    .description('apply the plan in one transaction and record it in the history')
    .addOption(schemaOption())
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .option('--allow-data-loss', 'also run steps that drop collections or fields or narrow values')
    .action(async (opts: MigrateOptions) => {
      const { applyMigration, formatPlanSteps, readDirLock, isDirLockHeld, describeDirLockOwner, findDirLockCommand } = await import('@galley/server');
      const dir = resolve(opts.dir);
      // a --dir typo must not pass silently for a new database
      const fresh = opts.database || existsSync(join(dir, 'data.db')) ? undefined : existsSync(dir) ? 'database in' : 'data directory at';
      const result = await applyMigration({ dir: opts.dir, database: opts.database, schemaFile: opts.schema, allowDataLoss: opts.allowDataLoss });
      const created = fresh ? [`Created a new ${fresh} ${dir}`] : [];
      if (result.steps.length === 0) return print([`Nothing to apply: ${result.dbFile} matches ${result.schemaFile}.`, ...created]);
      if (opts.database) {
        return print([
          `Applied ${plural(result.steps.length, 'step')} to ${result.dbFile} (migration #${result.historyId}, schema ${result.hash.slice(0, 12)}):`,
          ...formatPlanSteps(result.steps),
          'Servers on this database switch to it by themselves (they are notified).',
        ]);
      }
      // applyMigration refused while migrate-data or a restore held the directory: a holder now is a server, which follows
      const holder = readDirLock(dir);
      const server = holder && isDirLockHeld(holder) && !findDirLockCommand(holder) ? holder : undefined;
      print([
        `Applied ${plural(result.steps.length, 'step')} to ${result.dbFile} (migration #${result.historyId}, schema ${result.hash.slice(0, 12)}):`,
        ...formatPlanSteps(result.steps),
        ...created,
        ...(server ? [`The server running on this directory (${describeDirLockOwner(server)}) switches to it by itself within a second.`] : []),
      ]);
    });

  migrate
    .command('status')
    .description('say whether the database matches the schema file')
    .addOption(schemaOption())
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .addHelpText('after', EXIT_CODES)
    .action(async (opts: MigrateOptions) => {
      const { previewMigration, countLossySteps } = await import('@galley/server');
      const { plan, dbFile, schemaFile, last } = await previewMigration({ dir: opts.dir, database: opts.database, schemaFile: opts.schema });
      if (plan.steps.length === 0) {
        return print([`Up to date: ${dbFile} matches ${schemaFile}${last ? ` (last migration #${last.id} at ${last.applied})` : ''}.`]);
      }
      const lossy = countLossySteps(plan.steps);
      print([`Pending: ${plural(plan.steps.length, 'step')} (${lossy} losing data) to bring ${dbFile} to ${schemaFile}. See \`galley migrate plan\`.`]);
      throw new ExitStatus(1);
    });

  migrate
    .command('history')
    .description('list the migrations applied to the database, oldest first')
    .addOption(createDirOption())
    .addOption(createDatabaseOption())
    .option('--sql', 'print the SQL each step ran')
    .action(async (opts: MigrateOptions) => {
      const { listMigrationHistory } = await import('@galley/server');
      const { dbFile, migrations } = await listMigrationHistory({ dir: opts.dir, database: opts.database });
      if (migrations.length === 0) return print([`No migrations applied to ${dbFile} yet.`]);
      const lines: string[] = [];
      for (const m of migrations) {
        lines.push(`#${m.id}  ${m.applied}  schema ${m.hash.slice(0, 12)}  ${plural(m.steps.length, 'step')}`);
        m.steps.forEach((s, i) => {
          lines.push(`    ${i + 1}. ${s.lossy ? '[lost data] ' : ''}${s.description}`);
          for (const d of s.details ?? []) lines.push(`         - ${d}`);
          if (opts.sql) for (const text of s.sql ?? []) lines.push(`         SQL: ${text}`);
        });
      }
      print(lines);
    });
}
