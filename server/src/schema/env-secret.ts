/**
 * A secret in the schema file may be an environment reference, `"$env:NAME"`, so the file (and anything written
 * from it: data.db's applied schema, history, the collections API's write-back) holds the name, never the
 * value. The loader checks the variable is set; the value is read where the secret is used.
 */

const PREFIX = '$env:';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variable a value refers to (`"$env:NAME"` → `NAME`, possibly malformed), or undefined for a plain value. */
export function readEnvReference(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(PREFIX) ? value.slice(PREFIX.length) : undefined;
}

/** What is wrong with a reference in `env`, or undefined when it names a set, non-empty variable. */
export function explainEnvReference(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (!NAME.test(name)) return `"${PREFIX}${name}" is not an environment reference: write "${PREFIX}NAME" with NAME made of letters, digits and _`;
  if ((env[name] ?? '') === '') return `the environment variable ${name} is not set (or is empty); set it, or give the value itself`;
  return undefined;
}

/** The secret itself: a reference's variable, or the value as written. */
export function resolveEnvSecret(value: string, env: Record<string, string | undefined> = process.env): string {
  const name = readEnvReference(value);
  return name === undefined ? value : (env[name] ?? '');
}
