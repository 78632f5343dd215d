import { Option } from 'commander';

// Environment variable names are the twins of the flags, as server/src/config.ts ENV lists them.
export const ENV_DIR = 'GALLEY_DIR';
export const ENV_HTTP = 'GALLEY_HTTP';
export const ENV_SCHEMA = 'GALLEY_SCHEMA';
export const ENV_SYNCHRONOUS = 'GALLEY_SYNCHRONOUS';

/** `--dir`, shared by every command that opens the data directory. */
export function createDirOption(): Option {
  return new Option('--dir <path>', 'the data directory (data.db, storage/, backups/)')
    .default('./galley_data')
    .env(ENV_DIR);
}
