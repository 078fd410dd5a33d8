import { BlockList, isIP } from 'node:net';
import { CollectorError } from './errors.js';

/**
 * Anonymises an IP address by zeroing its host part: IPv4 keeps its first 24 bits
 * (`203.0.113.77` → `203.0.113.0`), IPv6 its first 48 (`2001:db8:85a3::8a2e:370:7334` →
 * `2001:db8:85a3::`). IPv4-mapped IPv6 addresses are treated as IPv4, and a 6to4 address keeps no
 * more of the IPv4 address it carries (`2002:cb00:714d::1` → `2002:cb00:7100::`). Returns
 * `undefined` for anything that is not an IP address.
 */
export function anonymizeIp(ip: string, ipv4Bits = 24, ipv6Bits = 48): string | undefined {
  const plain = unmapIpv4(ip);
  const version = isIP(plain);
  if (version === 4) {
    const n = ipv4ToNumber(plain);
    const mask = ipv4Bits <= 0 ? 0 : (0xffffffff << (32 - Math.min(ipv4Bits, 32))) >>> 0;
    const masked = (n & mask) >>> 0;
    return [masked >>> 24, (masked >>> 16) & 255, (masked >>> 8) & 255, masked & 255].join('.');
  }
  if (version === 6) {
    const value = ipv6ToBigInt(plain);
    // 6to4 (`2002::/16`) carries the client's whole IPv4 address in its next 32 bits: keep of it no
    // more than IPv4 anonymisation would.
    const sixToFour = value >> 112n === 0x2002n;
    const keep = BigInt(Math.min(Math.max(ipv6Bits, 0), 128, sixToFour ? 16 + Math.max(ipv4Bits, 0) : 128));
    const mask = keep === 0n ? 0n : ((1n << keep) - 1n) << (128n - keep);
    return bigIntToIpv6(value & mask);
  }
  return undefined;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything else unchanged. */
export function unmapIpv4(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  return (
    (((Number(parts[0]) << 24) >>> 0) + (Number(parts[1]) << 16) + (Number(parts[2]) << 8) + Number(parts[3])) >>> 0
  );
}

/** An IPv6 address (any valid notation) as a 128-bit bigint. */
export function ipv6ToBigInt(ip: string): bigint {
  let text = ip.split('%')[0] ?? '';
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToNumber(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headParts
      : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  let value = 0n;
  for (const g of groups) value = (value << 16n) + BigInt(parseInt(g || '0', 16));
  return value;
}

function bigIntToIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Which peers may set `X-Forwarded-For`: CIDRs or addresses (`10.0.0.0/8`, `::1`), or the words
 * `loopback` (127.0.0.0/8 and ::1) and `private` (RFC 1918 and fc00::/7). A wrong entry is a
 * `CollectorError` `invalid_option` at `{path}[i]` (e.g. `trustedProxies[1]`).
 */
export function trustedProxyList(entries: readonly string[], path = 'trustedProxies'): BlockList {
  const list = new BlockList();
  entries.forEach((raw, i) => {
    const entry = raw.trim();
    if (!entry) return;
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else if (entry === 'private') {
      list.addSubnet('10.0.0.0', 8, 'ipv4');
      list.addSubnet('172.16.0.0', 12, 'ipv4');
      list.addSubnet('192.168.0.0', 16, 'ipv4');
      list.addSubnet('fc00::', 7, 'ipv6');
    } else {
      const [address = '', bits, extra] = entry.split('/');
      const version = isIP(address);
      const prefix = bits === undefined ? undefined : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (!version || extra !== undefined || (prefix !== undefined && !(prefix <= (version === 6 ? 128 : 32))))
        throw new CollectorError(
          'invalid_option',
          [{ path: `${path}[${i}]`, message: `"${entry}" is not an IP address, a CIDR, "loopback" or "private"` }],
          'List trusted proxies as addresses or CIDRs (10.0.0.0/8, ::1), or the words loopback and private.',
        );
      const family = version === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, prefix, family);
    }
  });
  return list;
}

function isTrusted(list: BlockList, ip: string): boolean {
  const plain = unmapIpv4(ip);
  const version = isIP(plain);
  return version !== 0 && list.check(plain, version === 6 ? 'ipv6' : 'ipv4');
}

// An X-Forwarded-For entry with a port, as some proxies write it (Azure Application Gateway:
// `203.0.113.7:54321`, `[2001:db8::1]:443`).
const withPort = /^(?:\[([^\]]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/;

/** An X-Forwarded-For entry's address (IPv4-mapped unmapped), its port left out; may be no address. */
function forwardedAddress(entry: string): string {
  const port = withPort.exec(entry);
  const address = port && Number(port[3]) <= 65_535 ? (port[1] ?? port[2] ?? '') : entry;
  return unmapIpv4(address);
}

function resolveClientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: (ip: string) => boolean,
): string | undefined {
  if (!peer) return undefined;
  if (!forwardedFor || !trusted(peer)) return unmapIpv4(peer);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim());
  let client = unmapIpv4(peer);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(hops[i] ?? '');
    if (!isIP(hop)) break;
    client = hop;
    if (!trusted(hop)) break;
  }
  return client;
}

/**
 * Resolves a request's client address: the socket peer, unless that peer is a trusted proxy, in
 * which case `X-Forwarded-For` is read right to left and the first address that is not a trusted
 * proxy wins (an entry with a port, `203.0.113.7:54321` or `[2001:db8::1]:443`, is its address); a
 * forged header from an untrusted peer is ignored. Whether an address is a trusted
 * proxy is remembered (peers and proxies are few, and `BlockList.check` allocates on every call),
 * in a bounded cache. The
 * list must not change afterwards (`trustedProxyList` builds one nobody else holds).
 */
export function createClientIpResolver(
  trusted: BlockList,
  maxEntries = 10_000,
): (peer: string | undefined, forwardedFor: string | string[] | undefined) => string | undefined {
  const known = new Map<string, boolean>();
  const cachedTrust = (ip: string): boolean => {
    let answer = known.get(ip);
    if (answer === undefined) {
      answer = isTrusted(trusted, ip);
      if (known.size >= maxEntries) known.clear();
      known.set(ip, answer);
    }
    return answer;
  };
  return (peer, forwardedFor) => resolveClientIp(peer, forwardedFor, cachedTrust);
}
