/**
 * Import a module from disk as a new module each time (the schema module, the hooks file): a query string makes a
 * new cache entry, so a saved change is evaluated again under `serve --dev`. The one place outside the three
 * runtime seams that asks which runtime it is on: Bun keys its module cache by path (a file: URL's query is not part
 * of the key there), Node by URL, so each needs its own specifier form.
 */
import { pathToFileURL } from 'node:url';

export function importFresh(path: string, tag: string): Promise<Record<string, unknown>> {
  const stamp = `${tag}=${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const specifier = process.versions.bun ? `${path}?${stamp}` : `${pathToFileURL(path).href}?${stamp}`;
  return import(/* @vite-ignore */ specifier);
}
