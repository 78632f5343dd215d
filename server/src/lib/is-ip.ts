/**
 * node:net's isIP (4, 6 or 0), loaded on its first call: a static import of node:net evaluates its whole socket
 * layer at start (~2 ms of a cold start, issue 16), which a server without IP settings or outbound fetches never uses.
 */
import { createRequire } from 'node:module';

let loaded: ((input: string) => number) | undefined;

export function isIP(input: string): number {
  loaded ??= (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP;
  return loaded(input);
}
