/**
 * argon2id password hashes as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$…`), interchangeable between runtimes.
 * A runtime seam besides db/driver.ts, on purpose: the `argon2` addon cannot load inside the compiled binary,
 * and Bun.password (argon2id, off the main thread) does not exist on Node.
 */
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

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
  if (isBun) {
    return Bun.password.hash(plain, { algorithm: 'argon2id', memoryCost: MEMORY_KIB, timeCost: TIME_COST });
  }
  const a = await loadArgon2();
  return a.hash(plain, { type: a.argon2id, memoryCost: MEMORY_KIB, timeCost: TIME_COST, parallelism: 1 });
}

/** Constant-time check inside both libraries; false (never a throw) for a malformed hash. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    if (isBun) return await Bun.password.verify(plain, hash, 'argon2id');
    const a = await loadArgon2();
    return await a.verify(hash, plain);
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
