import { Command, CommanderError, type OutputConfiguration } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { addBackupCommand } from './commands/backup.ts';
import { addImportCommand } from './commands/import-pocketbase.ts';
import { addMigrateCommand, ExitStatus } from './commands/migrate.ts';
import { addMigrateDataCommand } from './commands/migrate-data.ts';
import { addSchemaCommand } from './commands/schema.ts';
import { addServeCommand } from './commands/serve.ts';
import { addSuperuserCommand } from './commands/superuser.ts';
import { addTypesCommand } from './commands/types.ts';
import { formatError } from './format-error.ts';

/** Exit code for bad usage (unknown flag, missing argument), as shells and PocketBase's users expect. */
export const EXIT_USAGE = 2;

/** Each command by the name it is run with, in the order help lists them. */
const COMMANDS: ReadonlyArray<readonly [string, (program: Command) => void]> = [
  ['serve', addServeCommand],
  ['superuser', addSuperuserCommand],
  ['schema', addSchemaCommand],
  ['migrate', addMigrateCommand],
  ['migrate-data', addMigrateDataCommand],
  ['backup', addBackupCommand],
  ['types', addTypesCommand],
  ['import', addImportCommand],
];

/**
 * The command tree: every command, or only `only` (runCli passes the command a run names, so a `serve` start
 * does not build the other commands' options: about 4 ms of a cold start's CPU). Settings made here are inherited
 * by every subcommand added after them.
 */
export function createProgram(output?: OutputConfiguration, only?: string): Command {
  const program = new Command('galley')
    .description('Galley: a schema file becomes a PocketBase-compatible backend (REST API over SQLite) in one binary.')
    .version(pkg.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError()
    .exitOverride();
  if (output) program.configureOutput(output);
  for (const [name, add] of COMMANDS) if (only === undefined || name === only) add(program);
  return program;
}

/** Parses argv (process.argv shape) and runs the command; resolves to the process exit code. */
export async function runCli(argv: readonly string[], output?: OutputConfiguration): Promise<number> {
  // a known command name first: only that command is built (help, --version, an unknown name: all of them)
  const named = COMMANDS.find(([name]) => name === argv[2])?.[0];
  const program = createProgram(output, named);
  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof ExitStatus) return err.code;
    if (err instanceof CommanderError) {
      // commander already printed the error line and the usage; --help and --version arrive here with 0
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const write = output?.writeErr ?? ((text: string) => process.stderr.write(text));
    for (const line of formatError(err)) write(`${line}\n`);
    return 1;
  }
}
