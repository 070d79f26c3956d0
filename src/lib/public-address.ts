import { BlockList, isIP } from 'node:net';

// Addresses an outgoing request made on a user's behalf must not reach: this host, the networks it
// sits in, and what is not a unicast destination at all. IANA's special-purpose registries, the
// parts that route to something other than the public internet.
const NOT_PUBLIC_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 connects to this host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const NOT_PUBLIC_V6: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible, deprecated
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: a tunnel to an address the outer one hides
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local, deprecated
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [address, prefix] of NOT_PUBLIC_V4) blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of NOT_PUBLIC_V6) blocked.addSubnet(address, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted quad, if any, folded in). */
function groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] as string;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (quad) {
    const [a, b, c, d] = quad.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -quad.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined
    ? left
    : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address that NAT64 (64:ff9b::/96) or 6to4 (2002::/16) carries inside an IPv6 one. */
function embeddedV4(address: string): string | null {
  const g = groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
    return quad(g[6] as number, g[7] as number);
  if (g[0] === 0x2002) return quad(g[1] as number, g[2] as number);
  return null;
}

/**
 * Whether an IP address is on the public internet: false for loopback, private, link-local,
 * carrier-grade NAT, unspecified, multicast and reserved addresses, in IPv4, IPv6, and IPv4 written
 * inside IPv6 (mapped, NAT64, 6to4). Anything that is not an IP address is not public either.
 *
 * @example
 * isPublicAddress('93.184.215.14'); // true
 * isPublicAddress('::ffff:127.0.0.1'); // false
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  // BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 ranges by itself.
  if (blocked.check(address, 'ipv6')) return false;
  const inner = embeddedV4(address);
  return inner === null || !blocked.check(inner, 'ipv4');
}
