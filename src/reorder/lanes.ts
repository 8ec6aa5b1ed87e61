// Inner flows hashed to lanes: order is kept per lane, so a hole in one flow's packets holds
// back only the flows that share its lane. The hash covers addresses, protocol and, for TCP
// and UDP, ports: packets of one flow always share a lane.

export const LANES = 64;

// FNV-1a over 32-bit words (a function of its own, not a closure: this runs for every packet)
const mix = (h: number, x: number) => Math.imul(h ^ x, 0x01000193);

/** Lane of the IP packet at b[at .. at+len]. */
export function laneOf(b: Buffer, at: number, len: number): number {
  const v = b[at]! >> 4;
  let h = 0x811c9dc5;
  let proto: number, l4: number;
  if (v === 4 && len >= 20) {
    h = mix(mix(h, b.readUInt32BE(at + 12)), b.readUInt32BE(at + 16));
    proto = b[at + 9]!;
    // later fragments carry no ports: hash them without, like the first fragment's flow
    const frag = b.readUInt16BE(at + 6) & 0x3fff;
    l4 = frag ? -1 : at + (b[at]! & 15) * 4;
  } else if (v === 6 && len >= 40) {
    for (let k = 8; k < 40; k += 4) h = mix(h, b.readUInt32BE(at + k));
    proto = b[at + 6]!;
    l4 = at + 40;
  } else {
    return 0;
  }
  h = mix(h, proto);
  if ((proto === 6 || proto === 17) && l4 >= 0 && l4 + 4 <= at + len) h = mix(h, b.readUInt32BE(l4));
  h ^= h >>> 16;
  return (h >>> 0) % LANES;
}

/**
 * A TCP segment that carries no data and only ACK (maybe PSH/ECE/CWR): it may overtake data,
 * so it skips the reorder buffer and takes the fastest link.
 */
export function isPureAck(b: Buffer, at: number, len: number): boolean {
  const v = b[at]! >> 4;
  let l4: number, total: number;
  if (v === 4 && len >= 40) {
    if (b[at + 9] !== 6) return false;
    l4 = at + (b[at]! & 15) * 4;
    total = b.readUInt16BE(at + 2);
  } else if (v === 6 && len >= 60) {
    if (b[at + 6] !== 6) return false;
    l4 = at + 40;
    total = 40 + b.readUInt16BE(at + 4);
  } else {
    return false;
  }
  if (l4 + 20 > at + len) return false;
  const flags = b[l4 + 13]!;
  const headers = l4 - at + (b[l4 + 12]! >> 4) * 4;
  return total === headers && (flags & 0x17) === 0x10; // ACK without SYN, FIN, RST
}
