import { type Command, Option } from 'commander';
import { createDirOption } from '../options.ts';

interface ImportOptions {
  dir: string;
  schemaOut: string;
  dryRun?: boolean;
  logs?: boolean;
  encryptionEnv?: string;
}

/** `galley import pocketbase <pb_data>`: a PocketBase 0.23+ data directory becomes a Galley one plus a schema file. */
export function addImportCommand(program: Command): void {
  const importCommand = program.command('import').description('bring an app over from another backend');
  importCommand
    .command('pocketbase')
    .description(
      'import a PocketBase 0.23+ pb_data directory (stopped or running): collections, records, users with their passwords and sessions, settings, local files',
    )
    .argument('<pb_data>', "PocketBase's data directory")
    .addOption(createDirOption())
    .addOption(new Option('--schema-out <file>', 'where to write the schema file').default('./galley.schema.json'))
    .option('--logs', "also copy PocketBase's request and app logs (auxiliary.db)")
    .option('--encryption-env <NAME>', "the environment variable holding PocketBase's settings encryption key (its --encryptionEnv)")
    .option('--dry-run', 'report what would be imported and what cannot be, write nothing')
    .action(async (pbData: string, opts: ImportOptions) => {
      const { importPocketbase, formatImportSummary } = await import('@galley/server');
      const tty = process.stderr.isTTY === true;
      const report = await importPocketbase({
        pbData,
        dir: opts.dir,
        schemaOut: opts.schemaOut,
        dryRun: opts.dryRun,
        logs: opts.logs,
        encryptionKey: opts.encryptionEnv ? process.env[opts.encryptionEnv] : undefined,
        progress: tty ? (line) => void process.stderr.write(`\r\x1b[K${line}`) : undefined,
      });
      if (tty) process.stderr.write('\r\x1b[K');
      const out: string[] = [];
      for (const s of report.skipped) out.push(`skipped ${s.what}: ${s.reason}`);
      if (report.envSecrets.length > 0) {
        out.push(
          `OAuth2 client secrets are in the schema file as $env: references; ${report.dryRun ? 'they would need' : 'set'} these variables before \`galley serve\` (shown once):`,
        );
        for (const e of report.envSecrets) out.push(`  ${e.name}=${e.value}`);
      }
      out.push(formatImportSummary(report));
      if (!report.dryRun) out.push(`Data directory: ${report.dir}`, `Schema file: ${report.schemaFile}`, `Start it with: galley serve --dir ${report.dir} --schema ${report.schemaFile}`);
      process.stdout.write(out.map((l) => `${l}\n`).join(''));
    });
}
