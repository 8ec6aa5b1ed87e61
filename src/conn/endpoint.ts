// Peer addresses in the addon's 24-byte slot form: [0] family 4|6, [2..3] port (big endian),
// [4..19] address (IPv4 in the first 4 bytes), [20..23] IPv6 scope id. Comparing and copying
// slots avoids building strings per packet; strings are made only for logs and status.
import { isIPv4, isIPv6 } from 'node:net';
import { ADDR_SLOT } from '../native/batch.js';

export function encodeEndpoint(host: string, port: number, out: Buffer = Buffer.alloc(ADDR_SLOT), at = 0): Buffer {
  out.fill(0, at, at + ADDR_SLOT);
  out.writeUInt16BE(port, at + 2);
  if (isIPv4(host)) {
    out[at] = 4;
    host.split('.').forEach((b, i) => (out[at + 4 + i] = Number(b)));
  } else if (isIPv6(host)) {
    out[at] = 6;
    ipv6Bytes(host).copy(out, at + 4);
  } else {
    throw new Error(`not an IP address: '${host}'`);
  }
  return out;
}

export function formatEndpoint(buf: Buffer, at = 0): string {
  const port = buf.readUInt16BE(at + 2);
  if (buf[at] === 4) return `${buf[at + 4]}.${buf[at + 5]}.${buf[at + 6]}.${buf[at + 7]}:${port}`;
  if (buf[at] === 6) return `[${formatIPv6(buf.subarray(at + 4, at + 20))}]:${port}`;
  return 'none';
}

export function sameEndpoint(a: Buffer, ai: number, b: Buffer, bi: number): boolean {
  for (let k = 0; k < 20; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

export function ipv6Bytes(addr: string): Buffer {
  const out = Buffer.alloc(16);
  let text = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = text.slice(0, v4.index) + ((b[0]! << 8) | b[1]!).toString(16) + ':' + ((b[2]! << 8) | b[3]!).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function formatIPv6(b: Buffer): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  // the longest run of zero groups (length >= 2) becomes '::', as RFC 5952 asks
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}
