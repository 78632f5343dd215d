/**
 * argon2id password hashes as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$…`), interchangeable between runtimes.
 * A runtime seam besides db/driver.ts, on purpose: the `argon2` addon cannot load inside the compiled binary,
 * and Bun.password (argon2id, off the main thread) does not exist on Node.
 */
import { availableParallelism } from 'node:os';
import { createSemaphore } from './semaphore.ts';

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/**
 * Hashes and checks at once, at most: both libraries already run off the main thread, but each holds 19 MiB
 * while it runs, so a flood of 500 logins waits here in line instead of asking for 500 × 19 MiB together.
 */
export const PASSWORD_HASH_CONCURRENCY = Math.min(4, Math.max(1, availableParallelism()));
const hashing = createSemaphore(PASSWORD_HASH_CONCURRENCY);

/** Longer input is refused before any hashing (callers enforce their own, smaller limits first). */
export const MAX_HASH_INPUT_LENGTH = 4096;

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Written in m,t,p order, which both runtimes parse.
const MEMORY_KIB = 19456;
const TIME_COST = 2;

type Argon2Module = typeof import('argon2');
let argon2: Promise<Argon2Module> | undefined;
function loadArgon2(): Promise<Argon2Module> {
  // A computed specifier keeps `bun build` from bundling the addon the binary cannot load.
  const name = 'argon2';
  return (argon2 ??= import(name) as Promise<Argon2Module>);
}

export async function hashPassword(plain: string): Promise<string> {
  if (plain.length > MAX_HASH_INPUT_LENGTH) throw new RangeError(`refusing to hash more than ${MAX_HASH_INPUT_LENGTH} characters`);
  const a = isBun ? undefined : await loadArgon2();
  return hashing.run(() =>
    a
      ? a.hash(plain, { type: a.argon2id, memoryCost: MEMORY_KIB, timeCost: TIME_COST, parallelism: 1 })
      : Bun.password.hash(plain, { algorithm: 'argon2id', memoryCost: MEMORY_KIB, timeCost: TIME_COST }),
  );
}

/** bcrypt, as PocketBase stores passwords (`$2a$`/`$2b$`/`$2y$`): read for users imported from it, never written. */
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** True for a hash that is not Galley's own argon2id (an imported bcrypt one): replace it after a successful sign-in. */
export function needsRehash(hash: string): boolean {
  return !hash.startsWith('$argon2id$');
}

const checkCounts = { argon2id: 0, bcrypt: 0 };
/** How many argon2id and bcrypt checks this process ran (tests compare the work of sign-ins, not their time). */
export function readPasswordCheckCounts(): { argon2id: number; bcrypt: number } {
  return { ...checkCounts };
}

type BcryptModule = typeof import('bcryptjs');
let bcryptjs: Promise<BcryptModule> | undefined;

/** Constant-time check inside both libraries; false (never a throw) for a malformed hash. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  if (plain.length > MAX_HASH_INPUT_LENGTH) return false;
  if (BCRYPT.test(hash)) return verifyBcrypt(hash, plain);
  if (!hash.startsWith('$argon2')) return false;
  checkCounts.argon2id++;
  try {
    const a = isBun ? undefined : await loadArgon2();
    return await hashing.run(() => (a ? a.verify(hash, plain) : Bun.password.verify(plain, hash, 'argon2id')));
  } catch {
    return false;
  }
}

// Bun.password reads bcrypt natively; under Node bcryptjs (pure JS; its async compare yields between rounds).
async function verifyBcrypt(hash: string, plain: string): Promise<boolean> {
  checkCounts.bcrypt++;
  try {
    if (isBun) return await hashing.run(() => Bun.password.verify(plain, hash, 'bcrypt'));
    const b = await (bcryptjs ??= import('bcryptjs'));
    return await hashing.run(() => (b.default ?? b).compare(plain, hash));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spend the same time as a real check when the account does not exist (no user enumeration by timing). */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummy ??= hashPassword('galley-dummy-password-' + Math.random());
  await verifyPassword(await dummy, plain);
  return false;
}

/** The cost of a bcrypt hash (`$2b$10$…` → 10), or undefined for any other hash. */
export function readBcryptCost(hash: string): number | undefined {
  return BCRYPT.test(hash) ? Number(hash.slice(4, 6)) : undefined;
}

const bcryptDummies = new Map<number, Promise<string>>();
/**
 * Spend what a check of an imported bcrypt hash of this cost spends (its cost kept within bcrypt's usual
 * 4–14, so a stored hash cannot ask for hours).
 */
export async function verifyAgainstBcryptDummy(plain: string, cost: number): Promise<false> {
  const rounds = Math.min(14, Math.max(4, Math.trunc(cost) || 10));
  let dummyHash = bcryptDummies.get(rounds);
  if (!dummyHash) {
    const seed = 'galley-dummy-password-' + Math.random();
    dummyHash = isBun
      ? Bun.password.hash(seed, { algorithm: 'bcrypt', cost: rounds })
      : (bcryptjs ??= import('bcryptjs')).then((b) => (b.default ?? b).hash(seed, rounds));
    bcryptDummies.set(rounds, dummyHash);
  }
  await verifyBcrypt(await dummyHash, plain);
  return false;
}

/** Hashes and checks running now and waiting for a slot (the flood bench and tests read it). */
export function readPasswordHashLoad(): { active: number; waiting: number } {
  return { active: hashing.active, waiting: hashing.waiting };
}
