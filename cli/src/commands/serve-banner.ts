/** What `galley serve` prints once it listens: where things are, what it serves, and what to do next. */
import { basename, delimiter, isAbsolute, relative, resolve, sep } from 'node:path';

export interface BannerInfo {
  url: string;
  /** absolute data directory */
  dir: string;
  /** --dir as the user gave it, so the suggested command works from the same place */
  dirArg: string;
  schemaFile: string | undefined;
  schemaSource: 'file' | 'option' | 'database' | 'none';
  /** the user's collections (system ones left out) */
  collections: ReadonlyArray<{ name: string; type: string }>;
  appliedOnStart: readonly string[];
  dev: boolean;
  superusers: number;
  /** the dashboard is served at /_/ (the binary embeds it) */
  dashboard?: boolean;
  /** the one-time installer token, while no superuser exists */
  installerToken?: string;
  /** PostgreSQL (`--database`): its URL with the password masked, and the pool size; undefined on SQLite */
  database?: { masked: string; poolSize: number };
  /** how the user runs this binary: `galley` when on PATH, else its path (`dist/galley` under npm start) */
  command: string;
}

const MAX_NAMES = 12;
const MAX_STEPS = 10;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "4 collections (3 base, 1 auth): posts, comments, tags, users" */
export function describeCollections(collections: BannerInfo['collections']): string {
  if (collections.length === 0) return 'no collections of its own';
  const byType = new Map<string, number>();
  for (const c of collections) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
  const types = [...byType].map(([type, n]) => `${n} ${type}`).join(', ');
  const names = collections.slice(0, MAX_NAMES).map((c) => c.name).join(', ') + (collections.length > MAX_NAMES ? ', …' : '');
  return `${plural(collections.length, 'collection')} (${types}): ${names}`;
}

function describeSchema(info: BannerInfo): string {
  const what = describeCollections(info.collections);
  switch (info.schemaSource) {
    case 'file':
      return `${info.schemaFile}, ${what}`;
    case 'database':
      return `no schema file: serving the schema applied to data.db, ${what}`;
    case 'option':
      return `given by the embedding program, ${what}`;
    case 'none':
      return 'no schema file and no schema applied yet: only the system collections (start with --schema FILE)';
  }
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that runs this binary from the user's shell: its name when PATH finds it, else a path to it. */
export function describeOwnCommand(execPath: string, cwd: string, pathVariable: string): string {
  const name = basename(execPath);
  if (/^(bun|node)(\.exe)?$/.test(name)) return 'galley'; // run from source: the command as installed
  if (pathVariable.split(delimiter).some((dir) => dir !== '' && resolve(dir, name) === execPath)) return name;
  const rel = relative(cwd, execPath);
  return rel.startsWith('..') || isAbsolute(rel) ? execPath : rel.includes(sep) ? rel : `.${sep}${rel}`;
}

export function formatServeBanner(info: BannerInfo): string[] {
  const base = info.url.replace(/\/+$/, '');
  const lines = [`Server started at ${base}`, `├─ REST API: ${base}/api/`];
  if (info.dashboard) lines.push(`├─ Dashboard: ${base}/_/`);
  lines.push(`├─ Schema: ${describeSchema(info)}`);
  if (info.appliedOnStart.length === 0) lines.push('├─ Migrations on start: none (the database already matched)');
  else {
    lines.push(`├─ Migrations on start: ${plural(info.appliedOnStart.length, 'step')} applied`);
    // a new database runs many steps (system tables, indexes): the first few say what happened, history has all
    const shown = info.appliedOnStart.length > MAX_STEPS ? info.appliedOnStart.slice(0, MAX_STEPS - 2) : info.appliedOnStart;
    shown.forEach((step, i) => lines.push(`│    ${i + 1}. ${step}`));
    if (shown.length < info.appliedOnStart.length) {
      lines.push(`│    … and ${info.appliedOnStart.length - shown.length} more (${shellQuote(info.command)} migrate history --dir ${shellQuote(info.dirArg)} lists them)`);
    }
  }
  lines.push(
    info.dev
      ? `├─ Dev mode: on, watching ${info.schemaFile ?? '(no schema file)'}; saved changes apply live`
      : '├─ Dev mode: off (schema changes: edit the file, run galley migrate apply; this server follows)',
  );
  if (info.database) lines.push(`├─ Database: PostgreSQL ${info.database.masked} (pool of ${info.database.poolSize})`);
  lines.push(`├─ Data dir: ${info.dir}`);
  const upsert = `${shellQuote(info.command)} superuser upsert EMAIL PASSWORD ${info.database ? '--database URL' : `--dir ${shellQuote(info.dirArg)}`}`;
  if (info.superusers > 0) lines.push(`└─ Superusers: ${info.superusers}`);
  else if (info.installerToken) {
    lines.push('└─ Superusers: none yet; create the first one in the browser (this link works once, for 30 minutes):');
    lines.push(`     ${base}/_/#/install?token=${info.installerToken}`);
    lines.push(`     or: ${upsert}`);
  } else lines.push(`└─ Superusers: none yet; create one: ${upsert}`);
  return lines;
}
