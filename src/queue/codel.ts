// CoDel (RFC 8289), the drop decision for one flow's queue: once packets have waited longer
// than `target` for a whole INTERVAL, drop (or, for ECN-capable packets, mark) one, then more
// often while the queue stays, so the inner TCP hears about congestion early instead of after
// seconds of bufferbloat.

export const INTERVAL_MS = 100; // the default; the tunnel queue sets its own from the links

export class Codel {
  private firstAboveTime = 0;
  private dropNext = 0;
  private count = 0;
  private lastCount = 0;
  private dropping = false;

  interval = INTERVAL_MS;

  /** Whether the packet at the head, which waited `sojourn` ms, should go. */
  shouldDrop(sojourn: number, backlogBytes: number, target: number, now: number): boolean {
    let okToDrop = false;
    if (sojourn < target || backlogBytes <= 1500) {
      this.firstAboveTime = 0;
    } else if (this.firstAboveTime === 0) {
      this.firstAboveTime = now + this.interval;
    } else if (now >= this.firstAboveTime) {
      okToDrop = true;
    }
    if (this.dropping) {
      if (!okToDrop) {
        this.dropping = false;
        return false;
      }
      if (now >= this.dropNext) {
        this.count++;
        this.dropNext = this.controlLaw(this.dropNext);
        return true;
      }
      return false;
    }
    if (okToDrop) {
      this.dropping = true;
      const delta = this.count - this.lastCount;
      this.count = delta > 1 && now - this.dropNext < 16 * this.interval ? delta : 1;
      this.lastCount = this.count;
      this.dropNext = this.controlLaw(now);
      return true;
    }
    return false;
  }

  /** The queue ran empty. */
  idle(): void {
    this.firstAboveTime = 0;
  }

  private controlLaw(t: number): number {
    return t + this.interval / Math.sqrt(this.count);
  }
}

/**
 * Marks an ECN-capable IP packet Congestion Experienced in place; false when the packet is
 * not ECN-capable (then CoDel drops it instead).
 */
export function markCE(b: Buffer, at: number): boolean {
  const v = b[at]! >> 4;
  if (v === 4) {
    const tos = b[at + 1]!;
    if ((tos & 3) === 0) return false;
    if ((tos & 3) === 3) return true;
    b[at + 1] = tos | 3;
    // incremental checksum update (RFC 1624): HC' = ~(~HC + ~m + m'), m the word holding TOS
    const word = (b[at]! << 8) | tos;
    let sum = (~b.readUInt16BE(at + 10) & 0xffff) + (~word & 0xffff) + (word | 3);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, at + 10);
    return true;
  }
  if (v === 6) {
    const tc = ((b[at]! & 15) << 4) | (b[at + 1]! >> 4);
    if ((tc & 3) === 0) return false;
    b[at + 1] = b[at + 1]! | 0x30;
    return true;
  }
  return false;
}
