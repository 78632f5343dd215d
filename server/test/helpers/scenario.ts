/**
 * The one scenario runner for route tables, as PocketBase's `ApiScenario`: a row names in plain English what it
 * proves, sends one request and checks the status, fragments that must (`contains`) and must not (`notContains`:
 * hidden fields, other users' data) appear, and the record events that fired after commit.
 */
import { expect } from 'vitest';
import type { Galley } from '../../src/index.ts';
import type { CallOptions, TestResponse } from './test-galley.ts';

type Lazy<T> = T | (() => T);

export interface Scenario {
  /** what the row proves, in plain English (the test's name with `it.each(table)('$name', …)`) */
  name: string;
  method: string;
  /** a function when the path holds ids known only once the table runs */
  path: Lazy<string>;
  /** objects go as JSON; strings, bytes and FormData as they are; a function is called when the row runs */
  body?: unknown;
  /** who sends it: a key of the `tokens` handed to runScenario, or the token itself when none are handed */
  as?: string;
  headers?: Record<string, string>;
  /** the socket's peer address (rate limits, trusted proxies) */
  ip?: string;
  status: number;
  contains?: Array<Lazy<string>>;
  notContains?: Array<Lazy<string>>;
  /**
   * The record events expected to fire, in order, as `action:collection` (`['create:posts']`; actions are those of
   * hooks/event-bus.ts: create, update, delete). `[]` says none fires; left out, events are not checked.
   */
  events?: string[];
  /** further checks on the parsed body */
  check?: (json: any, res: TestResponse) => void | Promise<void>;
}

/** What a scenario runs against: any test Galley (startTestGalley, startAuthGalley, startFileGalley, …). */
export interface ScenarioTarget {
  galley: Galley;
  call(method: string, path: string, opts?: CallOptions): Promise<TestResponse>;
}

const resolve = <T>(v: Lazy<T>): T => (typeof v === 'function' ? (v as () => T)() : v);

/** Run one row: send it, collect the record events it fired, and check everything the row states. */
export async function runScenario(target: ScenarioTarget, s: Scenario, tokens?: Record<string, string | null>): Promise<TestResponse> {
  const auth = s.as === undefined ? null : tokens ? (tokens[s.as] ?? null) : s.as;
  if (tokens && s.as !== undefined && !(s.as in tokens)) throw new Error(`${s.name}: no token named "${s.as}"`);
  const fired: string[] = [];
  const off = target.galley.core.hooks.onRecord((e) => void fired.push(`${e.action}:${e.collection.name}`));
  let res: TestResponse;
  try {
    res = await target.call(s.method, resolve(s.path), { body: resolve(s.body), auth, headers: s.headers, ip: s.ip });
  } finally {
    off();
  }
  expect(res.status, `${s.name}: ${res.text.slice(0, 400)}`).toBe(s.status);
  for (const c of s.contains ?? []) expect(res.text, s.name).toContain(resolve(c));
  for (const c of s.notContains ?? []) expect(res.text, s.name).not.toContain(resolve(c));
  if (s.events) expect(fired, `${s.name}: record events`).toEqual(s.events);
  await s.check?.(res.json, res);
  return res;
}
