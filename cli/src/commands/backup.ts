import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createDirOption } from '../options.ts';

/** What the server reports while it archives (server/src/backups/create-archive.ts). */
export interface Progress {
  phase: 'verify' | 'snapshot' | 'files' | 'checksums' | 'archive' | 'done';
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const formatMs = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

const PHASE_WORDS: Record<Progress['phase'], string> = {
  verify: 'checking the archive (checksums, integrity_check)',
  snapshot: 'snapshotting the databases',
  files: 'collecting the stored files',
  checksums: 'computing checksums',
  archive: 'writing the archive',
  done: 'done',
};

/**
 * On a terminal: one line redrawn in place (bytes, files, an ETA once it is worth one). Elsewhere: a plain
 * line per phase, nothing redrawn.
 */
export function createProgressPrinter(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>, now: () => number = Date.now): { update(p: Progress): void; end(): void } {
  const tty = stream.isTTY === true;
  let lastPhase: string | undefined;
  let phaseStart = now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      const changed = p.phase !== lastPhase;
      if (changed) {
        phaseStart = now();
        lastPhase = p.phase;
        if (!tty && p.phase !== 'done') stream.write(`${PHASE_WORDS[p.phase]}…\n`);
      }
      if (!tty || p.phase === 'done') return;
      const at = now();
      if (!changed && at - lastDraw < 100) return; // a new phase shows at once
      lastDraw = at;
      const elapsed = at - phaseStart;
      // a phase that counts nothing (yet): its words alone
      let line = p.bytes + p.totalBytes + p.files + p.totalFiles === 0 ? `${PHASE_WORDS[p.phase]}…` : `${PHASE_WORDS[p.phase]}: ${formatBytes(p.bytes)}${p.totalBytes ? ` / ${formatBytes(p.totalBytes)}` : ''}, ${p.files}${p.totalFiles ? ` / ${p.totalFiles}` : ''} files`;
      if (p.totalBytes > 0 && p.bytes > 0 && elapsed > 2000) line += `, ETA ${formatMs(Math.round((elapsed * (p.totalBytes - p.bytes)) / p.bytes))}`;
      stream.write(`\r\x1b[K${line}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** NAME (a backup under <dir>/backups) or FILE (a path to an archive). */
function resolveArchive(dir: string, nameOrFile: string): string {
  if (nameOrFile.includes('/') || nameOrFile.includes('\\') || existsSync(nameOrFile)) return resolve(nameOrFile);
  return join(dir, 'backups', nameOrFile);
}

export function addBackupCommand(program: Command): void {
  const backup = program
    .command('backup')
    .description('make, list, restore and delete backups (.tar.gz of data.db, aux.db and storage/, kept in <dir>/backups)');

  backup
    .command('create')
    .description('back the data directory up (works while a server runs on it; writes go on)')
    .argument('[name]', 'the archive name, [a-z0-9_-]+.tar.gz (default galley_backup_<UTC time>.tar.gz)')
    .addOption(createDirOption())
    .action(async (name: string | undefined, opts: { dir: string }) => {
      const { createBackupArchive, defaultBackupName, assertNewBackupName, backupFilePath, lowerProcessPriority } = await import('@galley/server');
      const dir = resolve(opts.dir);
      const key = name ?? defaultBackupName(new Date());
      assertNewBackupName(key);
      const out = backupFilePath(dir, key);
      if (existsSync(out)) throw new Error(`a backup named ${key} already exists in ${join(dir, 'backups')}`);
      // the server on the same directory comes first: this process (every thread: gzip runs on the runtime's pool) takes the CPU it leaves
      lowerProcessPriority();
      const printer = createProgressPrinter(process.stderr);
      // this process opens no connection to the databases: the snapshot may be the paced copy (bounded dirty data)
      const made = await createBackupArchive({ dir, out, pacedSnapshot: true, onProgress: (p: Progress) => printer.update(p) });
      printer.end();
      for (const [db, how] of Object.entries(made.snapshots)) {
        if (how.method === 'vacuum-into') console.error(`note: ${db} was snapshotted with VACUUM INTO (${how.reason})`);
      }
      console.log(`Created ${made.file}: ${formatBytes(made.size)}, ${made.manifest.counts.files} files, ${formatMs(made.durationMs)}`);
    });

  backup
    .command('list')
    .description('list the backups in <dir>/backups, newest first')
    .addOption(createDirOption())
    .action(async (opts: { dir: string }) => {
      const { listBackupFiles } = await import('@galley/server');
      const found = listBackupFiles(resolve(opts.dir));
      if (found.length === 0) return void console.log(`No backups in ${join(resolve(opts.dir), 'backups')}.`);
      for (const b of found) console.log(`${b.key}  ${formatBytes(b.size)}  ${b.modified}`);
    });

  backup
    .command('restore')
    .description('replace the data directory with a backup (refused while a server runs on it: restore through its API then)')
    .argument('<name|file>', 'a backup in <dir>/backups, or the path of an archive')
    .addOption(createDirOption())
    .action(async (nameOrFile: string, opts: { dir: string }) => {
      const { restoreBackupIntoDir } = await import('@galley/server');
      const dir = resolve(opts.dir);
      const archive = resolveArchive(dir, nameOrFile);
      if (!existsSync(archive)) throw new Error(`no backup at ${archive}`);
      const started = Date.now();
      const printer = createProgressPrinter(process.stderr);
      printer.update({ phase: 'verify', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 });
      const done = await restoreBackupIntoDir({ dir, archive, onProgress: (p: Progress) => printer.update(p) });
      printer.end();
      for (const [db, how] of Object.entries(done.preRestoreSnapshots ?? {})) {
        if (how.method === 'vacuum-into') console.error(`note: ${db} was snapshotted with VACUUM INTO (${how.reason})`);
      }
      if (done.preRestoreBackup) console.log(`Kept the data that was there as ${done.preRestoreBackup}`);
      const records = Object.values(done.manifest.counts.records).reduce((a, b) => a + b, 0);
      console.log(
        `Restored ${archive} (made ${done.manifest.created}) into ${dir}: ${formatBytes(done.manifest.counts.bytes)}, ${records} records, ${done.manifest.counts.files} files, ${formatMs(Date.now() - started)}`,
      );
    });

  backup
    .command('delete')
    .description('delete a backup from <dir>/backups')
    .argument('<name>', 'the backup name')
    .addOption(createDirOption())
    .action(async (name: string, opts: { dir: string }) => {
      const { deleteBackupFile } = await import('@galley/server');
      deleteBackupFile(resolve(opts.dir), name);
      console.log(`Deleted ${name}`);
    });
}
