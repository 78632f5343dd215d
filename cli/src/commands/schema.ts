import type { Command } from 'commander';

export function addSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('schema file tools')
    .option('--json-schema', 'print the JSON Schema of the schema file (for editors: completion and checks)')
    .action(async (opts: { jsonSchema?: boolean }, command: Command) => {
      if (!opts.jsonSchema) command.error('error: nothing to do; pass --json-schema', { exitCode: 2 });
      const { generateSchemaJsonSchema } = await import('@galley/server');
      process.stdout.write(`${JSON.stringify(generateSchemaJsonSchema(), null, 2)}\n`);
    });
}
