/**
 * One GET of a URL that did not come from the operator (an avatar URL in a provider's claims): the host is
 * resolved once, every address it resolves to must be public (lib/address-ranges.ts), and the socket goes to
 * that checked address (no second lookup a rebinding DNS could answer differently). No redirects are followed;
 * the body is capped in bytes and the whole exchange in time.
 */
// node:http, node:https and node:dns are imported by the first fetch: a start need not load them
import { isIP } from './is-ip.ts';
import { isForbiddenAddress } from './address-ranges.ts';

export interface GuardedFetchOptions {
  /** body cap in bytes (default 5 MiB) */
  maxBytes?: number;
  /** cap on the whole exchange, DNS included (default 10 s) */
  timeoutMs?: number;
  /** host name → addresses (default: the system resolver, every address) */
  resolveHost?: (hostname: string) => Promise<string[]>;
  /** addresses allowed although in a refused range (an operator allow-list; tests reach 127.0.0.1 with it) */
  allowAddress?: (ip: string) => boolean;
}

export interface GuardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export type GuardedFetchFailure = 'bad_url' | 'forbidden_address' | 'dns' | 'redirect' | 'too_large' | 'timeout' | 'network' | 'status';

export class GuardedFetchError extends Error {
  constructor(
    readonly reason: GuardedFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'GuardedFetchError';
  }
}

async function resolveWithSystem(hostname: string): Promise<string[]> {
  const { lookup } = await import('node:dns/promises');
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/** The address to connect to: the literal itself, or the first of the host's addresses once all pass. */
async function pickAddress(hostname: string, opts: GuardedFetchOptions): Promise<string> {
  const allowed = (ip: string) => !isForbiddenAddress(ip) || (opts.allowAddress?.(ip) ?? false);
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = await (opts.resolveHost ?? resolveWithSystem)(hostname);
    } catch {
      throw new GuardedFetchError('dns', `cannot resolve ${hostname}`);
    }
  }
  if (addresses.length === 0) throw new GuardedFetchError('dns', `${hostname} has no address`);
  const refused = addresses.find((ip) => !allowed(ip));
  if (refused !== undefined) throw new GuardedFetchError('forbidden_address', `${hostname} resolves to a refused address (${refused})`);
  return addresses[0]!;
}

/** GET `rawUrl` under the guards; any 2xx answers its body, anything else throws GuardedFetchError. */
export async function guardedFetch(rawUrl: string, opts: GuardedFetchOptions = {}): Promise<GuardedResponse> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new GuardedFetchError('bad_url', 'not a URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    throw new GuardedFetchError('bad_url', 'only http(s) URLs without credentials');
  }
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const address = await Promise.race([
      pickAddress(hostname, opts),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new GuardedFetchError('timeout', 'timed out')))),
    ]);
    const transport = url.protocol === 'https:' ? (await import('node:https')).default : (await import('node:http')).default;
    return await getFrom(transport, url, hostname, address, maxBytes, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

function getFrom(
  transport: typeof import('node:http') | typeof import('node:https'),
  url: URL,
  hostname: string,
  address: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<GuardedResponse> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        host: address,
        port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
        path: url.pathname + url.search,
        method: 'GET',
        // the certificate is checked against the URL's host name, the socket goes to the checked address
        servername: secure && !isIP(hostname) ? hostname : undefined,
        headers: { host: url.host, accept: '*/*', 'user-agent': 'Galley' },
        agent: false,
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const fail = (reason: GuardedFetchFailure, message: string) => {
          res.destroy();
          reject(new GuardedFetchError(reason, message));
        };
        if (status >= 300 && status < 400) return fail('redirect', `redirect (${status}) refused`);
        if (status < 200 || status >= 300) return fail('status', `answered ${status}`);
        if (Number(res.headers['content-length'] ?? 0) > maxBytes) return fail('too_large', `larger than ${maxBytes} bytes`);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail('too_large', `larger than ${maxBytes} bytes`);
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          resolve({ status, headers, body: new Uint8Array(Buffer.concat(chunks)) });
        });
        res.on('error', () => reject(new GuardedFetchError(signal.aborted ? 'timeout' : 'network', 'connection failed')));
      },
    );
    req.on('error', () => reject(new GuardedFetchError(signal.aborted ? 'timeout' : 'network', signal.aborted ? 'timed out' : 'connection failed')));
    req.end();
  });
}
