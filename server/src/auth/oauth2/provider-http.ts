/**
 * Requests to a provider's operator-configured endpoints (token, user info, discovery): trusted as given,
 * but bounded in time and size, and every failure becomes a ProviderError (answered 400, never 500).
 */
export class ProviderError extends Error {
  constructor(
    /** wire: which PocketBase message the route answers with */
    readonly stage: 'token' | 'user',
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

const TIMEOUT_MS = 30_000; // wire: PocketBase gives the exchange 30 s
const MAX_BYTES = 1024 * 1024;

/** The response body as text (at most 1 MiB) with its status; network trouble throws ProviderError. */
export async function sendProviderRequest(
  stage: ProviderError['stage'],
  url: string,
  init: RequestInit,
): Promise<{ status: number; contentType: string; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new ProviderError(stage, `${new URL(url).origin} unreachable: ${(err as Error).message}`);
  }
  const buffer = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
  if (buffer.length > MAX_BYTES) throw new ProviderError(stage, `${new URL(url).origin} answered more than 1 MiB`);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: new TextDecoder().decode(buffer) };
}

/** GET a JSON document with the user's access token (a Bearer header, as PocketBase's oauth2 client sends it). */
export async function fetchProviderJson(url: string, accessToken: string, extraHeaders: Record<string, string> = {}): Promise<unknown> {
  const res = await sendProviderRequest('user', url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...extraHeaders },
  });
  if (res.status >= 400 || res.status < 200) throw new ProviderError('user', `${url} answered ${res.status}`);
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new ProviderError('user', `${url} did not answer JSON`);
  }
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProviderError('user', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
