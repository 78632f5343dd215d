import type { Command } from 'commander';
import type { CopyProgress, FilesNote, MigrateDataReport } from '@galley/server';
import { ENV_DATABASE_URL } from '../options.ts';
import { ExitStatus } from './migrate.ts';

interface MigrateDataOptions {
  from?: string;
  to?: string;
}

/**
 * The two sides: `--from` and `--to`, or one of them with GALLEY_DATABASE_URL (read as `serve --database` reads
 * it) as the other, so the URL and its password need not be on the command line. With both flags the environment
 * is not read.
 */
export function resolveMigrateDataSides(opts: MigrateDataOptions, env: NodeJS.ProcessEnv): { from: string; to: string } | { problem: string } {
  for (const [flag, value] of [['--from', opts.from], ['--to', opts.to]] as const) {
    // resolve('') is the current directory: '--to "$UNSET"' would copy into whatever directory the shell is in
    if (value !== undefined && value.trim() === '') return { problem: `${flag} is empty: name a data directory or a postgres:// URL` };
  }
  const url = env[ENV_DATABASE_URL]?.trim() || undefined;
  const one = (opts.from === undefined) !== (opts.to === undefined);
  // the variable is a database URL (serve refuses anything else), never a directory: './app:pw@db/app' would be
  // created and printed in the report, password included; the message never repeats the value
  if (one && url !== undefined && !/^postgres(ql)?:\/\//i.test(url)) {
    return { problem: `${ENV_DATABASE_URL} is not a postgres:// (or postgresql://) URL, so it cannot stand for ${opts.from === undefined ? '--from' : '--to'}` };
  }
  const from = opts.from ?? (opts.to !== undefined ? url : undefined);
  const to = opts.to ?? (opts.from !== undefined ? url : undefined);
  if (from !== undefined && to !== undefined) return { from, to };
  const missing = opts.from === undefined && opts.to === undefined ? '--from and --to' : opts.from === undefined ? '--from' : '--to';
  return { problem: `missing ${missing}: name both sides, or one of them with ${ENV_DATABASE_URL} set for the other` };
}

type Stream = Pick<NodeJS.WriteStream, 'isTTY' | 'write'>;

/**
 * On a terminal: one line redrawn in place (collection, rows copied of its total). Elsewhere: a plain line per
 * collection once it is copied, nothing redrawn.
 */
export function createCopyProgressPrinter(stream: Stream, now: () => number = Date.now): { update(p: CopyProgress): void; end(): void } {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      if (!tty) {
        if (p.done) stream.write(`${p.collection}: ${p.copied} row${p.copied === 1 ? '' : 's'} copied\n`);
        return;
      }
      const at = now();
      if (!p.done && p.copied > 0 && at - lastDraw < 100) return;
      lastDraw = at;
      stream.write(`\r\x1b[K${p.collection}: ${p.copied} / ${p.total} rows`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** The lines printed once the copy is done: counts per collection, then what to do about files. */
export function formatMigrateDataReport(r: MigrateDataReport): string[] {
  const width = Math.max(10, ...r.counts.map((c) => c.name.length));
  const lines = [`Copied ${r.from} → ${r.to}: the schema in ${r.schemaSteps} migration steps, then the records and ${r.params} stored entries (settings, token secrets, collection times).`, ''];
  lines.push(`${'collection'.padEnd(width)}  ${'source'.padStart(8)}  ${'target'.padStart(8)}`);
  for (const c of r.counts) lines.push(`${c.name.padEnd(width)}  ${String(c.source).padStart(8)}  ${String(c.target).padStart(8)}${c.source === c.target ? '' : '  MISMATCH'}`);
  lines.push('');
  if (r.mismatches.length > 0) {
    lines.push(`${r.mismatches.length} collection(s) differ: was something writing to ${r.from} during the copy? Empty the target and run again with no writer on the source.`);
  } else {
    lines.push('Every collection holds as many records on both sides.');
  }
  lines.push(...describeFiles(r.files, r.to));
  lines.push('Not copied: request logs, cron history and the migration history (the target has its own, one migration).');
  return lines;
}

function describeFiles(files: FilesNote, to: string): string[] {
  if (files.place === 's3') return [`Files stay on S3 (bucket ${files.bucket}): nothing to move; the copied settings point the target's servers at the same bucket.`];
  if (files.storageDir) {
    if (files.count === 0) return ['No local files to move.'];
    return [
      `Files were not copied: ${files.count} files stay in ${files.storageDir}. Serve ${to} with --dir on the directory that holds this storage/ folder ` +
        '(or copy the folder into the new --dir); with several instances, move the files to S3 (same keys) and turn S3 on in the settings first.',
    ];
  }
  return [`Files were not copied: copy the storage/ folder of the --dir the PostgreSQL server ran with into ${to}/storage.`];
}

/** `galley migrate-data --from A --to B`: an app from a data directory to PostgreSQL, or back. */
export function addMigrateDataCommand(program: Command): void {
  program
    .command('migrate-data')
    .description('copy an app (schema, records, superusers, settings, token secrets) from a data directory to PostgreSQL or back; the target must hold no records and no server may run on either side')
    .option('--from <dir|url>', `the data directory or postgres:// URL to copy from (never printed unmasked; default: ${ENV_DATABASE_URL} when --to is given)`)
    .option('--to <dir|url>', `the data directory or postgres:// URL to copy into (default: ${ENV_DATABASE_URL} when --from is given)`)
    .addHelpText('after', '\nExit codes: 0 = copied, every collection counted the same on both sides; 1 = refused, failed, or a count differs; 2 = usage error.')
    .action(async (opts: MigrateDataOptions, command: Command) => {
      const sides = resolveMigrateDataSides(opts, process.env);
      if ('problem' in sides) command.error(`error: ${sides.problem}`);
      const { migrateData } = await import('@galley/server');
      const printer = createCopyProgressPrinter(process.stderr);
      let report: MigrateDataReport;
      try {
        report = await migrateData({ ...sides, onProgress: (p) => printer.update(p) });
      } finally {
        printer.end();
      }
      process.stdout.write(formatMigrateDataReport(report).map((l) => `${l}\n`).join(''));
      if (report.mismatches.length > 0) throw new ExitStatus(1);
    });
}
