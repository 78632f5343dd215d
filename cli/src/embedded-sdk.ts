/**
 * A TypeScript schema file starts with `import { defineSchema } from '@galley/sdk'`. Where that package is not
 * installed (the binary's users often have no node_modules), Bun would fail the import, or try to install it from
 * the registry. The CLI is the only code that imports user modules, so it provides the specifier itself: the
 * sdk's `defineSchema` is an identity function whose value is all in its types, which the binary does not need,
 * and a hooks file's `import { BadRequestError } from '@galley/sdk'` gets the error classes: the text of their one
 * source, sdk/src/hooks/hook-errors.ts (TypeScript, hence the 'ts' loader), through the server's generated module.
 */
import { HOOK_ERRORS_SOURCE } from '../../server/src/hooks/hook-errors.generated.ts';

/** What '@galley/sdk' is inside the galley command: defineSchema (as the package's) and the hooks' error classes. */
export const EMBEDDED_SDK_SOURCE = `export function defineSchema(schema: unknown) { return schema; }\n${HOOK_ERRORS_SOURCE}`;

/** Register '@galley/sdk' as a virtual module for imports made by this process (Bun only; a no-op elsewhere). */
export function provideEmbeddedSdk(): void {
  if (typeof Bun === 'undefined') return;
  Bun.plugin({
    name: 'galley-embedded-sdk',
    setup(build) {
      build.module('@galley/sdk', () => ({ contents: EMBEDDED_SDK_SOURCE, loader: 'ts' }));
    },
  });
}
