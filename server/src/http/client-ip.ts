/**
 * The client's IP address. The socket's peer address travels beside the Request in a side map (never in a
 * header a client could forge); forwarding headers count only when that peer is a trusted proxy.
 */
import { isIpAddress, isLoopbackIp, matchesIpList } from '../admin/settings-ip.ts';
import type { Settings } from '../core.ts';

/** The peer's address, or the listener's object that reads it (a getpeername) the first time it is asked for. */
type PeerAddress = string | { readonly remoteAddress?: string | null };

const peers = new WeakMap<Request, PeerAddress>();

/** Called by the listener (or an embedding host) for each request it accepts; nothing is read from `peer` yet. */
export function rememberPeerAddress(request: Request, peer: PeerAddress | undefined | null): void {
  if (peer) peers.set(request, peer);
}

/** The socket's peer, or "" when the request did not come through a socket we know of. */
export function peerAddressOf(request: Request): string {
  const peer = peers.get(request);
  if (peer === undefined || typeof peer === 'string') return peer ?? '';
  const address = normalizePeerAddress(peer.remoteAddress);
  peers.set(request, address);
  return address;
}

function normalizePeerAddress(address: string | undefined | null): string {
  if (!address) return '';
  // only an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) needs the regex
  return address.charCodeAt(0) === 58 ? address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') : address;
}

/**
 * wire: PocketBase's trustedProxy settings (headers tried in order; X-Forwarded-For read from the right
 * unless useLeftmostIP). Galley believes them only from a peer listed in `trustedProxy.ips`, or from a
 * loopback peer when that list is empty.
 */
export function resolveClientIp(request: Request, proxy: Settings['trustedProxy']): string {
  return resolveClientIpFrom(request, peerAddressOf(request), proxy);
}

/** resolveClientIp for a caller that has the peer address already (the request log keeps both). */
export function resolveClientIpFrom(request: Request, peer: string, proxy: Settings['trustedProxy']): string {
  if (peer === '' || proxy.headers.length === 0) return peer;
  const trusted = proxy.ips.length > 0 ? matchesIpList(peer, proxy.ips) : isLoopbackIp(peer);
  if (!trusted) return peer;
  for (const name of proxy.headers) {
    const value = request.headers.get(name);
    if (!value) continue;
    const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const candidate = proxy.useLeftmostIP ? parts[0] : parts[parts.length - 1];
    if (candidate && isIpAddress(candidate)) return candidate.replace(/^\[|\]$/g, '');
  }
  return peer;
}
