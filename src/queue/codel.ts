// The tunnel's own queue: packets read from the TUN device wait here until a link has room.
// When links are full the queue grows; CoDel (RFC 8289) keeps it short by dropping (or, for
// ECN-capable packets, marking) once packets have waited longer than TARGET for a whole
// INTERVAL, so the inner TCP hears about congestion early instead of after seconds of
// bufferbloat. A hard limit bounds it regardless.

const TARGET_MS = 5;
const INTERVAL_MS = 100;

export interface Queued {
  slot: number;
  size: number;
  lane: number;
  urgent: boolean;
}

export class CodelQueue {
  private readonly slot: Int32Array;
  private readonly size: Int32Array;
  private readonly lane: Uint8Array;
  private readonly urgent: Uint8Array;
  private readonly at: Float64Array;
  private head = 0;
  private count = 0;
  bytes = 0;
  // CoDel state
  private firstAboveTime = 0;
  private dropNext = 0;
  private dropCount = 0;
  private lastCount = 0;
  private dropping = false;
  drops = 0;
  marks = 0;
  overflows = 0;

  constructor(readonly capacity: number, private readonly mark: (slot: number) => boolean, private readonly drop: (slot: number) => void) {
    this.slot = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.lane = new Uint8Array(capacity);
    this.urgent = new Uint8Array(capacity);
    this.at = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** False when the queue is full (the caller frees the packet). */
  push(slot: number, size: number, lane: number, urgent: boolean, now: number): boolean {
    if (this.count === this.capacity) return this.overflows++, false;
    const i = (this.head + this.count++) % this.capacity;
    this.slot[i] = slot;
    this.size[i] = size;
    this.lane[i] = lane;
    this.urgent[i] = urgent ? 1 : 0;
    this.at[i] = now;
    this.bytes += size;
    return true;
  }

  /** The packet at the head without taking it (after CoDel had its say), or null. */
  peek(now: number, out: Queued): Queued | null {
    while (this.count > 0) {
      if (!this.shouldDrop(now)) {
        const i = this.head;
        out.slot = this.slot[i]!;
        out.size = this.size[i]!;
        out.lane = this.lane[i]!;
        out.urgent = this.urgent[i] === 1;
        return out;
      }
      const slot = this.slot[this.head]!;
      if (this.mark(slot)) {
        this.marks++;
        const i = this.head;
        out.slot = slot;
        out.size = this.size[i]!;
        out.lane = this.lane[i]!;
        out.urgent = this.urgent[i] === 1;
        return out;
      }
      this.drops++;
      this.pop();
      this.drop(slot);
    }
    this.firstAboveTime = 0;
    return null;
  }

  /** Removes the head (after peek). */
  pop(): void {
    this.bytes -= this.size[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Oldest packet's wait, ms (0 when empty). */
  sojourn(now: number): number {
    return this.count ? now - this.at[this.head]! : 0;
  }

  // RFC 8289's dequeue decision, for the packet at the head.
  private shouldDrop(now: number): boolean {
    const sojourn = now - this.at[this.head]!;
    let okToDrop = false;
    if (sojourn < TARGET_MS || this.bytes <= 1500) {
      this.firstAboveTime = 0;
    } else if (this.firstAboveTime === 0) {
      this.firstAboveTime = now + INTERVAL_MS;
    } else if (now >= this.firstAboveTime) {
      okToDrop = true;
    }
    if (this.dropping) {
      if (!okToDrop) {
        this.dropping = false;
        return false;
      }
      if (now >= this.dropNext) {
        this.dropCount++;
        this.dropNext = this.controlLaw(this.dropNext);
        return true;
      }
      return false;
    }
    if (okToDrop) {
      this.dropping = true;
      const delta = this.dropCount - this.lastCount;
      this.dropCount = delta > 1 && now - this.dropNext < 16 * INTERVAL_MS ? delta : 1;
      this.lastCount = this.dropCount;
      this.dropNext = this.controlLaw(now);
      return true;
    }
    return false;
  }

  private controlLaw(t: number): number {
    return t + INTERVAL_MS / Math.sqrt(this.dropCount);
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
