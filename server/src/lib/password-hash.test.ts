import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_HASH_INPUT_LENGTH, needsRehash, PASSWORD_HASH_CONCURRENCY, readPasswordHashLoad, verifyAgainstDummy, verifyPassword } from './password-hash.ts';

// Made once by each runtime's library: both must verify under both runtimes (interchangeable PHC strings).
const FROM_NODE_ARGON2 = '$argon2id$v=19$m=19456,t=2,p=1$45WqIfUZmidntmOUhSPTQA$qf9umwrE1V8/VHq6/X+WTNLGii+smqKHqSuMToazAXw';
const FROM_BUN_PASSWORD =
  '$argon2id$v=19$m=19456,t=2,p=1$jVFWhZV90UZq7jKI923WVM1oBbWEcmS9pXUPfn0hWaM$Q5mO1XkhM1OJlY9WLF/TluDsV3+C0OkMVJmQmpXWOq8';

describe('password hashes', () => {
  it('writes argon2id PHC strings with parameters in m,t,p order', async () => {
    const hash = await hashPassword('s3cret-pass');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 's3cret-pass')).toBe(true);
    expect(await verifyPassword(hash, 's3cret-pasS')).toBe(false);
  });

  it('verifies hashes made by the other runtime', async () => {
    expect(await verifyPassword(FROM_NODE_ARGON2, 'correct horse')).toBe(true);
    expect(await verifyPassword(FROM_BUN_PASSWORD, 'correct horse')).toBe(true);
    expect(await verifyPassword(FROM_BUN_PASSWORD, 'correct horsE')).toBe(false);
  });

  it('answers false, not a throw, for malformed or empty hashes', async () => {
    expect(await verifyPassword('', 'x')).toBe(false);
    expect(await verifyPassword('$argon2id$garbage', 'x')).toBe(false);
    expect(await verifyAgainstDummy('anything')).toBe(false);
  });

  it('runs at most PASSWORD_HASH_CONCURRENCY hashes at once; the rest wait in line', async () => {
    const hash = await hashPassword('queued-pass');
    const checks = Array.from({ length: 12 }, (_, i) => verifyPassword(hash, i === 0 ? 'queued-pass' : 'wrong'));
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    const load = readPasswordHashLoad();
    expect(load.active).toBeLessThanOrEqual(PASSWORD_HASH_CONCURRENCY);
    expect(load.active + load.waiting).toBe(12);
    expect(await Promise.all(checks)).toEqual([true, ...Array(11).fill(false)]);
    expect(readPasswordHashLoad()).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses over-long input before hashing', async () => {
    const long = 'x'.repeat(MAX_HASH_INPUT_LENGTH + 1);
    await expect(hashPassword(long)).rejects.toThrow(RangeError);
    expect(await verifyPassword(FROM_BUN_PASSWORD, long)).toBe(false);
  });

  // PocketBase (Go's bcrypt, cost 10) stores `$2a$`; users imported from it keep theirs until they sign in.
  it('verifies an imported bcrypt hash under both runtimes and asks for it to be replaced', async () => {
    const fromPocketbase = '$2b$10$a2IFjOmKGR5EW0Xvb2YBhu8ZF9gpIg8nPU7Oqls92KRtON0geasdy'.replace('$2b$', '$2a$');
    expect(await verifyPassword(fromPocketbase, 'pb-password-1')).toBe(true);
    expect(await verifyPassword(fromPocketbase, 'pb-password-2')).toBe(false);
    expect(await verifyPassword(fromPocketbase.slice(0, -1), 'pb-password-1')).toBe(false);
    expect(needsRehash(fromPocketbase)).toBe(true);
    expect(needsRehash(await hashPassword('pb-password-1'))).toBe(false);
  });
});
