import { ClientResponseError } from 'pocketbase';
import { expect } from 'vitest';

/** Awaits an SDK call that must fail with `status`; answers the SDK's error for further checks. */
export async function expectError(p: Promise<unknown>, status: number): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    expect((err as ClientResponseError).status, JSON.stringify((err as ClientResponseError).response)).toBe(status);
    return err as ClientResponseError;
  }
  throw new Error(`expected a ${status} error`);
}
