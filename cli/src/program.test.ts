import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { createProgram, EXIT_USAGE, runCli } from './program.ts';

/** Runs the CLI in-process with its output captured. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['node', 'galley', ...args], {
    writeOut: (text) => { out += text; },
    writeErr: (text) => { err += text; },
  });
  return { code, out, err };
}

describe('runCli', () => {
  it('--version and -v print the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await run(flag);
      expect(r).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
    }
  });

  it('no arguments prints the help and exits 0', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: galley [options] [command]');
  });

  it.each([
    ['an unknown flag', ['serve', '--nope'], "error: unknown option '--nope'", 'Usage: galley serve'],
    ['an unknown command', ['serv'], "error: unknown command 'serv'", 'Usage: galley'],
    ['a missing argument', ['superuser', 'delete'], "error: missing required argument 'email'", 'Usage: galley superuser delete'],
    ['an excess argument', ['superuser', 'delete', 'a@b.c', 'extra'], 'error: too many arguments', 'Usage: galley superuser delete'],
    ['a flag without its value', ['serve', '--http'], "error: option '--http <host:port>' argument missing", 'Usage: galley serve'],
    ['a bad --synchronous', ['serve', '--synchronous', 'OFF'], "error: option '--synchronous <mode>' argument 'OFF' is invalid. use FULL or NORMAL.", 'Usage: galley serve'],
    ['schema without --json-schema', ['schema'], 'error: nothing to do; pass --json-schema', 'Usage: galley schema'],
  ])('%s: one error line, then the usage, exit 2', async (_name, args, firstLine, usage) => {
    const r = await run(...args);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err.split('\n')[0]).toMatch(new RegExp(`^${firstLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.err).toContain(usage);
    expect(r.out).toBe('');
  });

  it('builds only the command a run names (all of them for help or an unknown name)', async () => {
    expect(createProgram(undefined, 'serve').commands.map((c) => c.name())).toEqual(['serve']);
    expect(createProgram().commands.map((c) => c.name())).toEqual(['serve', 'superuser', 'schema', 'migrate', 'migrate-data', 'backup', 'types', 'import']);
    const help = await run('help');
    for (const name of ['serve', 'superuser', 'migrate', 'backup', 'import']) expect(help.out).toContain(`  ${name} `);
    expect((await run('help', 'migrate')).out).toContain('Usage: galley migrate');
    expect((await run('serve', '--help')).out).toContain('--synchronous <mode>');
  });

  it('--help on a command prints its usage to stdout and exits 0', async () => {
    const r = await run('superuser', 'upsert', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: galley superuser upsert [options] <email> [password]');
    expect(r.out).toContain('GALLEY_DIR');
  });
});
