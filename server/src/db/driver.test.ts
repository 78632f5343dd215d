import { describe, expect, it } from 'vitest';
import { describeDriverContract } from './driver.case.ts';
import { detectRuntime, nativeModuleName, openSqliteHandle } from './driver.ts';

describeDriverContract(detectRuntime() === 'bun' ? 'bun:sqlite' : 'better-sqlite3', openSqliteHandle);

describe('runtime detection', () => {
  it('names the native module of the runtime running the tests', () => {
    const bun = typeof process.versions.bun === 'string';
    expect(detectRuntime()).toBe(bun ? 'bun' : 'node');
    expect(nativeModuleName()).toBe(bun ? 'bun:sqlite' : 'better-sqlite3');
  });
});
