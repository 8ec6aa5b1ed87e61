// IPv4/IPv6 addresses and prefixes as numbers, for the subnet checks of the config
// (a peer's tunnel address must lie inside the server's subnet, routes need clean prefixes).

export interface Address {
  family: 4 | 6;
  value: bigint;
}

export interface Prefix extends Address {
  length: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    // No leading zeros: inet_aton would read 010 as octal.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

// Colon-separated hex groups; an IPv4 address may stand for the last two groups when the
// groups end the address.
function parseGroups(s: string, atEnd: boolean): bigint[] | undefined {
  if (s === '') return [];
  const groups: bigint[] = [];
  const parts = s.split(':');
  for (const [i, p] of parts.entries()) {
    if (atEnd && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      groups.push(BigInt('0x' + p));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIPv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseAddress(s: string): Address | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = s.includes(':') ? parseIPv6(s) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export function parsePrefix(s: string): Prefix | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const addr = m && parseAddress(m[1]!);
  if (!addr) return undefined;
  const length = Number(m[2]);
  return length <= BITS[addr.family] ? { ...addr, length } : undefined;
}

function hostMask(p: Prefix): bigint {
  return (1n << BigInt(BITS[p.family] - p.length)) - 1n;
}

export function hostBitsSet(p: Prefix): boolean {
  return (p.value & hostMask(p)) !== 0n;
}

export function contains(p: Prefix, a: Address): boolean {
  return p.family === a.family && (p.value & ~hostMask(p)) === (a.value & ~hostMask(p));
}

// The all-zeros and (IPv4) all-ones host parts cannot be given to a host.
export function isNetworkOrBroadcast(p: Prefix, a: Address): boolean {
  const host = a.value & hostMask(p);
  if (p.family === 6) return host === 0n && p.length < 127;
  return p.length < 31 && (host === 0n || host === hostMask(p));
}

export function networkOf(p: Prefix): string {
  return `${formatAddress({ family: p.family, value: p.value & ~hostMask(p) })}/${p.length}`;
}

// Canonical text (RFC 5952 for IPv6: lower case, longest zero run as '::').
export function formatAddress(a: Address): string {
  if (a.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((a.value >> s) & 0xffffn));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (best.at < 0) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}`;
}
