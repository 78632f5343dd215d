/**
 * The dashboard's files inside the binary: the generated entry (cli/src/generated/admin-ui.ts, written by
 * `npm run build`) registers them before the CLI starts; `galley serve` hands them to the server. Run from
 * source, nothing registers them and `/_/` shows only the server's confirmation page.
 */
let files: Readonly<Record<string, string>> | undefined;

export function embedDashboardFiles(map: Readonly<Record<string, string>>): void {
  files = map;
}

/** relative path (`index.html`, `assets/…`) → the embedded file's path, or undefined when none is embedded */
export function embeddedDashboardFiles(): Readonly<Record<string, string>> | undefined {
  return files;
}
