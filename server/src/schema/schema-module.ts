/**
 * A TypeScript schema file (`galley.schema.ts`): a module whose default export (or `export const schema`) is what
 * `defineSchema({...})` returns, the same data as a JSON schema file. It is imported as a new module on every call
 * (`serve --dev` reloads it; modules it imports stay cached), and its export must be plain JSON data: the loader
 * then checks it exactly as it checks a JSON file, with the same pointers.
 */
import { basename } from 'node:path';
import { importFresh } from '../lib/import-fresh.ts';
import { formatJsonPointer } from '../lib/json-pointer.ts';
import { SchemaError, type SchemaProblem } from './schema-error.ts';

const TS_EXTENSIONS = /\.(ts|mts|cts)$/i;

/** True for a schema file loaded as a TypeScript module (`.ts`, `.mts`, `.cts`) rather than read as JSON. */
export function isTypeScriptSchemaFile(path: string): boolean {
  return TS_EXTENSIONS.test(path);
}

function fixFor(path: string): string {
  return `write \`export default defineSchema({ collections: [ … ] })\` (import { defineSchema } from '@galley/sdk') in ${basename(path)}`;
}

/** The message for an import that failed (exported for the Node test, which gets a real Node import error). */
export function explainImportFailure(path: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  // Node's own codes for a .ts it cannot import (Bun imports .ts and never raises them)
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
    return (
      `cannot load a TypeScript schema file under Node ${process.version}: this Node cannot import .ts files. ` +
      `Run Galley with Bun or the galley binary, or use a JSON schema file (\`galley types\` writes the TypeScript types from it)`
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package) '@galley\/sdk'/.test(message)) {
    return `importing the schema module failed: ${message}. Install @galley/sdk in the project (npm install @galley/sdk), or run the galley binary, which provides it`;
  }
  return `importing the schema module failed: ${message}. Fix the error in the file (it runs when loaded); ${fixFor(path)}`;
}

/** Where a value is not plain JSON data (a function, a Date, NaN …), as problems; undefined-valued keys are skipped. */
function findNonJson(value: unknown, at: Array<string | number>, out: SchemaProblem[]): void {
  const problem = (what: string): void => void out.push({ path: formatJsonPointer(at), message: `${what} is not JSON data; a schema holds only strings, numbers, booleans, null, arrays and plain objects` });
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : problem(String(value));
  if (Array.isArray(value)) return value.forEach((v, i) => findNonJson(v, [...at, i], out));
  if (typeof value !== 'object') return problem(`a ${typeof value}`);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return problem(`a ${(value as object).constructor?.name ?? 'class'} object`);
  for (const [key, v] of Object.entries(value)) if (v !== undefined) findNonJson(v, [...at, key], out);
}

/** The schema a TypeScript schema file exports, as JSON data (a copy). Throws SchemaError naming the file and the fix. */
export async function importSchemaModule(path: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = await importFresh(path, 'galley');
  } catch (err) {
    throw new SchemaError(path, [{ path: '', message: explainImportFailure(path, err) }]);
  }
  const exported = mod['default'] !== undefined ? mod['default'] : mod['schema'];
  if (exported === undefined) {
    throw new SchemaError(path, [{ path: '', message: `the module exports no schema (no default export and no \`export const schema\`); ${fixFor(path)}` }]);
  }
  if (typeof exported === 'function') {
    throw new SchemaError(path, [{ path: '', message: `the module exports a function, not a schema; ${fixFor(path)}` }]);
  }
  const problems: SchemaProblem[] = [];
  findNonJson(exported, [], problems);
  if (problems.length > 0) throw new SchemaError(path, problems);
  return JSON.parse(JSON.stringify(exported));
}
