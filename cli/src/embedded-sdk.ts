/**
 * A TypeScript schema file starts with `import { defineSchema } from '@galley/sdk'`. Where that package is not
 * installed (the binary's users often have no node_modules), Bun would fail the import, or try to install it from
 * the registry. The CLI is the only code that imports user modules, so it provides the specifier itself: the
 * sdk's `defineSchema` is an identity function whose value is all in its types, which the binary does not need,
 * and a hooks file's `import { BadRequestError } from '@galley/sdk'` gets the error classes.
 */

/**
 * The hooks file's error classes, as sdk/src/hooks/hook-errors.ts defines them: the server knows them by their
 * `Symbol.for('galley.apiError')` mark, so this copy is answered like the package's.
 */
const HOOK_ERRORS_SOURCE = `const MARK = Symbol.for('galley.apiError');
export class ValidationError { constructor(code, message) { this.code = code; this.message = message; } }
export class ApiError extends Error {
  constructor(status, message, data = {}) { super(message); this[MARK] = true; this.name = new.target.name; this.status = status; this.data = data; }
}
export class BadRequestError extends ApiError { constructor(message = 'Something went wrong while processing your request.', data) { super(400, message, data); } }
export class UnauthorizedError extends ApiError { constructor(message = 'Missing or invalid authentication.', data) { super(401, message, data); } }
export class ForbiddenError extends ApiError { constructor(message = 'You are not allowed to perform this request.', data) { super(403, message, data); } }
export class NotFoundError extends ApiError { constructor(message = "The requested resource wasn't found.", data) { super(404, message, data); } }
export class TooManyRequestsError extends ApiError { constructor(message = 'Too Many Requests.', data) { super(429, message, data); } }
`;

/** What '@galley/sdk' is inside the galley command: defineSchema (as the package's) and the hooks' error classes. */
export const EMBEDDED_SDK_SOURCE = `export function defineSchema(schema) { return schema; }\n${HOOK_ERRORS_SOURCE}`;

/** Register '@galley/sdk' as a virtual module for imports made by this process (Bun only; a no-op elsewhere). */
export function provideEmbeddedSdk(): void {
  if (typeof Bun === 'undefined') return;
  Bun.plugin({
    name: 'galley-embedded-sdk',
    setup(build) {
      build.module('@galley/sdk', () => ({ contents: EMBEDDED_SDK_SOURCE, loader: 'js' }));
    },
  });
}
