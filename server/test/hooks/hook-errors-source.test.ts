// The hooks' error classes have one source, sdk/src/hooks/hook-errors.ts (issue 14): the server's classes and the
// text the types module and the binary's built-in '@galley/sdk' carry are generated from it and cannot drift. When
// this fails after an edit of that file: node scripts/run-bun.mjs scripts/write-hook-errors.ts
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOOK_ERRORS_GENERATED_FILE, HOOK_ERRORS_SOURCE_FILE, renderHookErrorsModule } from '../../../scripts/write-hook-errors.ts';
import * as sdkErrors from '../../../sdk/src/hooks/hook-errors.ts';
import { EMBEDDED_SDK_SOURCE } from '../../../cli/src/embedded-sdk.ts';
import { HOOK_ERRORS_SOURCE } from '../../src/hooks/hook-errors.generated.ts';
import { HOOK_ERROR_CLASSES, toHookFailure } from '../../src/hooks/hook-errors.ts';
import { loadSchema } from '../../src/schema/load.ts';
import { renderTypesModule } from '../../src/schema/types-module.ts';
import { GalleyError } from '../../src/errors.ts';

const NAMES = ['ApiError', 'BadRequestError', 'UnauthorizedError', 'ForbiddenError', 'NotFoundError', 'TooManyRequestsError', 'ValidationError'] as const;

describe('the hooks error classes have one source', () => {
  it('hook-errors.generated.ts is current with sdk/src/hooks/hook-errors.ts', () => {
    expect(readFileSync(HOOK_ERRORS_GENERATED_FILE, 'utf8')).toBe(renderHookErrorsModule());
    expect(HOOK_ERRORS_SOURCE).toBe(readFileSync(HOOK_ERRORS_SOURCE_FILE, 'utf8'));
  });

  it('the types module and the binary\'s @galley/sdk carry that text, every class exported', () => {
    const typesModule = renderTypesModule(loadSchema({ collections: [] }), { schemaFile: 'schema.json', command: 'galley types' });
    expect(typesModule.endsWith(HOOK_ERRORS_SOURCE)).toBe(true);
    expect(EMBEDDED_SDK_SOURCE.endsWith(HOOK_ERRORS_SOURCE)).toBe(true);
    for (const name of NAMES) expect(HOOK_ERRORS_SOURCE).toContain(`export class ${name} `);
  });

  it('the server\'s classes are the source\'s, and an instance of the sdk\'s class is answered by its status and data', () => {
    expect(Object.keys(HOOK_ERROR_CLASSES).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(HOOK_ERROR_CLASSES[name].toString()).toBe(sdkErrors[name].toString());
    const thrown = new sdkErrors.TooManyRequestsError('Slow down.', { title: new sdkErrors.ValidationError('validation_x', 'No.') });
    const failure = toHookFailure(thrown, 'onRecordCreate', { error: () => {} });
    expect(failure).toBeInstanceOf(GalleyError);
    expect(failure).toMatchObject({ kind: 'rate_limited', message: 'Slow down.' });
  });
});
