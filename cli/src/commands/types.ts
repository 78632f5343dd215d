import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ENV_SCHEMA } from '../options.ts';

interface TypesOptions {
  schema?: string;
  out?: string;
}

/** `from` as the generated header names it: relative to the output's folder (or the current one), with `/`. */
export function describeSchemaPath(schemaFile: string, out: string | undefined): string {
  const base = out ? dirname(resolve(out)) : process.cwd();
  return relative(base, resolve(schemaFile)).split('\\').join('/') || basename(schemaFile);
}

/** Write `text` to `path` unless the file already holds exactly it (temp + rename); true when written. */
export function writeTypesFile(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, path);
  return true;
}

export function addTypesCommand(program: Command): void {
  program
    .command('types')
    .description('write the schema as a TypeScript const module, for createClient<typeof schema>(url) from @galley/sdk')
    .addOption(new Option('--schema <file>', 'the schema file (JSON, or TypeScript: .ts/.mts)').env(ENV_SCHEMA))
    .option('--out <file>', 'write to this file (only when its content changes) instead of printing to stdout')
    .action(async (opts: TypesOptions, command: Command) => {
      if (!opts.schema) command.error('error: no schema file: pass --schema <file> or set GALLEY_SCHEMA', { exitCode: 2 });
      const schemaFile = opts.schema!;
      const { generateTypesModule } = await import('@galley/server');
      const text = await generateTypesModule(resolve(schemaFile), {
        schemaFile: describeSchemaPath(schemaFile, opts.out),
        command: `galley types --schema ${schemaFile}${opts.out ? ` --out ${opts.out}` : ''}`,
      });
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      const written = writeTypesFile(resolve(opts.out), text);
      console.error(written ? `types: wrote ${opts.out}` : `types: ${opts.out} is up to date`);
    });
}
