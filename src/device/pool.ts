// Packet buffers: one slab cut into fixed slots, with a free list, shared by both directions.
// A packet stays in its slot from the moment it is read until it has been delivered or
// acknowledged (so a lost packet can be re-sent); reference counts let one slot back several
// transmissions (a repair, a redundant copy). Nothing is allocated per packet.
//
// Slot layout for a packet read from the TUN device: [HEADROOM][IP packet]. The inner header
// is written just before the IP packet, so that inner header + packet are contiguous
// plaintext for the AEAD.

export const SLOT = 2048;
export const HEADROOM = 64;

export class PacketPool {
  readonly slab: Buffer;
  readonly length: Int32Array; // bytes of payload in the slot (meaning depends on the owner)
  private readonly refs: Uint16Array;
  private readonly free: Int32Array;
  private top: number;

  constructor(readonly slots: number) {
    this.slab = Buffer.allocUnsafeSlow(slots * SLOT);
    this.length = new Int32Array(slots);
    this.refs = new Uint16Array(slots);
    this.free = new Int32Array(slots);
    for (let i = 0; i < slots; i++) this.free[i] = slots - 1 - i;
    this.top = slots;
  }

  /** Takes a slot with one reference, or -1 when the pool is empty. */
  take(): number {
    if (this.top === 0) return -1;
    const s = this.free[--this.top]!;
    this.refs[s] = 1;
    return s;
  }

  ref(slot: number): void {
    this.refs[slot]!++;
  }

  release(slot: number): void {
    if (--this.refs[slot]! === 0) this.free[this.top++] = slot;
  }

  offset(slot: number): number {
    return slot * SLOT;
  }
}
