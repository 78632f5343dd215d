// `npm start -- …` arguments: `--force` is the build's (rebuild even when dist/galley is fresh), the rest go to `galley serve`.
export function splitStartArgs(args: readonly string[]): { force: boolean; serveArgs: string[] } {
  return { force: args.includes('--force'), serveArgs: args.filter((a) => a !== '--force') };
}
