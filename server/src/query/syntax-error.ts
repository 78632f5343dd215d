import { GalleyError } from '../errors.ts';

/** A filter that does not parse. `position` is the 0-based offset of the offending character. */
export class FilterSyntaxError extends GalleyError {
  readonly position: number;

  constructor(what: string, position: number) {
    super('invalid', `${what} at ${position}`);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}

/** How a character is named in an error: quoted, control characters escaped, never the rest of the input. */
export function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'end of filter';
  return /^[\x20-\x7e]$/.test(ch) ? `'${ch}'` : JSON.stringify(ch);
}
