/**
 * A rule that fails to compile while a request is answered (the load-time check lets very few through:
 * `@request.auth.x.y` valid for one auth collection but not the caller's) answers PocketBase's generic
 * 400, so the rule's text and field names never reach an API client; the detail rides on `cause` for
 * the log (http/errors.ts logs the cause of a generic 400).
 * wire: PocketBase returns the raw BuildExpr error, which its router answers as this same generic 400.
 */
import { GalleyError } from '../errors.ts';
import type { CollectionModel } from '../schema/model.ts';

export const RULE_FAILURE_MESSAGE = 'Something went wrong while processing your request.';

/** Run `compile` (a rule of `collection`); a client-input error it throws becomes the generic 400. */
export function guardRuleCompile<T>(collection: CollectionModel, compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    if (err instanceof GalleyError && err.kind !== 'invalid') throw err;
    const reason = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    throw new GalleyError('invalid', RULE_FAILURE_MESSAGE, { cause: new Error(`a rule of ${JSON.stringify(collection.name)} failed to compile: ${reason}`) });
  }
}
