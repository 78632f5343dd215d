/** IP addresses and CIDR subnets as the settings hold them (excludedIPs, trustedProxy.ips, superuserIPs). */
import { isIP } from '../lib/is-ip.ts';

interface Subnet {
  bytes: Uint8Array;
  prefix: number;
}

/** IPv4 as 4 bytes, IPv6 as 16; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) counts as its IPv4. */
function parseAddress(text: string): Uint8Array | null {
  const plain = text.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return parseAddress(mapped[1]!);
  const version = isIP(plain);
  if (version === 4) return Uint8Array.from(plain.split('.').map(Number));
  if (version !== 6) return null;
  // An embedded IPv4 tail (`64:ff9b::1.2.3.4`) becomes its two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  const hex = v4
    ? plain.slice(0, -v4[1]!.length) + ((b) => `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`)(parseAddress(v4[1]!)!)
    : plain;
  const [head, tail] = hex.includes('::') ? hex.split('::') : [hex, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const all = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (all.length !== 8) return null;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** An address or `address/prefix`, or null when it is neither. */
export function parseSubnet(text: string): Subnet | null {
  const [addr, prefixText, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const bytes = parseAddress(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= max ? { bytes, prefix } : null;
}

export function isIpOrSubnet(text: string): boolean {
  return parseSubnet(text) !== null;
}

/** A plain address (no prefix), normalised so `::ffff:1.2.3.4` and `1.2.3.4` compare equal. */
export function isIpAddress(text: string): boolean {
  return parseAddress(text) !== null;
}

function inSubnet(ip: Uint8Array, net: Subnet): boolean {
  if (ip.length !== net.bytes.length) return false;
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (net.bytes[i]! & mask)) return false;
  }
  return true;
}

/** True when `ip` is one of the listed addresses or inside one of the listed subnets. */
export function matchesIpList(ip: string, list: readonly string[]): boolean {
  if (list.length === 0) return false; // the usual excludedIPs, checked per request: nothing to parse
  const bytes = parseAddress(ip);
  if (!bytes) return false;
  return list.some((entry) => {
    const net = parseSubnet(entry);
    return net !== null && inSubnet(bytes, net);
  });
}

export function isLoopbackIp(ip: string): boolean {
  return matchesIpList(ip, ['127.0.0.0/8', '::1']);
}
