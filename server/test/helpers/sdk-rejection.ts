import { ClientResponseError } from 'pocketbase';

/** Awaits an SDK call that must fail and answers its error (the caller checks status and body). */
export async function rejectionOf(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
