/**
 * Which IP addresses a server-side fetch of an outside URL may reach: public unicast only. Loopback, private,
 * shared (CGNAT), link-local, unique-local, multicast, unspecified and reserved ranges are refused, in IPv4,
 * IPv6 and IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4).
 */
import { isIP } from './is-ip.ts';

/** [first address as a 32-bit number, prefix length] */
const FORBIDDEN_V4: Array<[number, number]> = [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (carrier NAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255
].map(([ip, bits]) => [parseIPv4(ip as string)!, bits as number]);

function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inV4Range(n: number, [base, bits]: [number, number]): boolean {
  const size = 2 ** (32 - bits);
  return n >= base && n < base + size;
}

/** Eight 16-bit groups, or null. Accepts `::` and a trailing dotted IPv4 part; a zone (`%eth0`) is dropped. */
function parseIPv6(text: string): number[] | null {
  let s = text.split('%')[0]!.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const read = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  return groups.every((g) => Number.isInteger(g)) ? groups : null;
}

function isForbiddenV6(g: number[]): boolean {
  const v4At = (hi: number) => g[hi]! * 65536 + g[hi + 1]!;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return true; // ::
  if (zeros(0, 7) && g[7] === 1) return true; // ::1
  if (zeros(0, 5) && g[5] === 0xffff) return isForbiddenV4(v4At(6)); // ::ffff:a.b.c.d (mapped)
  if (zeros(0, 6)) return true; // ::a.b.c.d (deprecated compatible form): never needed, refuse
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return isForbiddenV4(v4At(6)); // NAT64
  if (g[0] === 0x2002) return isForbiddenV4(v4At(1)); // 6to4
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0]! & 0xffc0) === 0xfec0) return true; // site-local (deprecated) fec0::/10
  if ((g[0]! & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g[0]! & 0xff00) === 0xff00) return true; // multicast ff00::/8
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x0100 && zeros(1, 4)) return true; // discard-only 100::/64
  return false;
}

function isForbiddenV4(n: number): boolean {
  return FORBIDDEN_V4.some((r) => inV4Range(n, r));
}

/** True when `ip` (an address literal) must not be reached; anything unparsable counts as forbidden. */
export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const kind = isIP(bare.split('%')[0]!);
  if (kind === 4) return isForbiddenV4(parseIPv4(bare)!);
  if (kind === 6) {
    const groups = parseIPv6(bare);
    return groups === null || isForbiddenV6(groups);
  }
  return true;
}
