/**
 * The logger test Galleys get. It drops ordinary lines (or hands them to a sink), but an "unclassified error" (an
 * exception http/errors.ts could not map to a GalleyError, answered as a generic 400) fails the test that caused
 * it: a bug hidden behind a 400 would otherwise pass a table that only expects 400. A test that means to cause
 * one says so with `expectUnclassifiedErrors(n)`.
 */
import { afterAll, afterEach, expect } from 'vitest';
import { createLogger, type Logger, type LogLevel } from '../../src/lib/log.ts';

/** The message http/errors.ts logs for an error it could not classify. */
export const UNCLASSIFIED = 'unclassified error';

// one per test file: vitest re-imports helpers for each file, and tests of a file run one at a time
const seen: string[] = [];
let allowed = 0;

/** A logger for createGalley({ logger }); `sink` receives every line at or above `minLevel`. */
export function createTestLogger(minLevel: LogLevel = 'error', sink: (line: string) => void = () => {}): Logger {
  const base = createLogger(minLevel, sink);
  return {
    ...base,
    error(message, data) {
      if (message === UNCLASSIFIED) seen.push(`${message} ${JSON.stringify(data ?? {})}`);
      base.error(message, data);
    },
  };
}

/** The current test causes `count` unclassified errors on purpose (checked: exactly that many). */
export function expectUnclassifiedErrors(count = 1): void {
  allowed = count;
}

/** The unclassified errors logged since the last check, emptied. */
export function takeUnclassifiedErrors(): string[] {
  return seen.splice(0);
}

function assertUnclassifiedErrors(where: string): void {
  const errors = takeUnclassifiedErrors();
  const expected = allowed;
  allowed = 0;
  if (expected > 0) expect(errors, `${where}: expected ${expected} unclassified error(s)`).toHaveLength(expected);
  else expect(errors, `${where} logged an unclassified error (a bug answered as a generic 400)`).toEqual([]);
}

// registered on the file's root suite when a test file (or its harness) imports this module
afterEach(() => assertUnclassifiedErrors('this test'));
// errors from beforeAll, or from work still running when the last test ended
afterAll(() => assertUnclassifiedErrors('a hook of this file'));
