// A batch of packets in one reusable Buffer, the unit in which packets cross the addon.
// Slot i holds a packet at i*slotSize + headroom; the headroom lets headers be written in
// front of a packet in place, and the slot's tail leaves room for an AEAD tag.
// `offsets`/`lengths` describe what to send; `addrs` holds one 24-byte peer address per slot.

export const ADDR_SLOT = 24;

export class PacketBatch {
  readonly slab: Buffer;
  readonly lengths: Int32Array;
  readonly offsets: Int32Array;
  readonly addrs: Buffer;
  count = 0;

  constructor(readonly capacity: number, readonly slotSize: number, readonly headroom: number) {
    this.slab = Buffer.allocUnsafeSlow(capacity * slotSize);
    this.lengths = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.addrs = Buffer.alloc(capacity * ADDR_SLOT);
    for (let i = 0; i < capacity; i++) this.offsets[i] = i * slotSize + headroom;
  }

  /** Start of slot i's packet (after the headroom). */
  start(i: number): number {
    return i * this.slotSize + this.headroom;
  }
}
