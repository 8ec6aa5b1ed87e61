// Forward error correction for a lossy link: after every k data packets the sender sends one
// parity packet, the XOR of their plaintexts (inner header + IP packet, zero-padded to the
// longest) and of their lengths. A receiver that got k-1 of them rebuilds the missing one at
// once, without the round trip a repair takes (which would hold the packet's lane for that
// long). k follows the loss the receiver measures on the link (blockSize).
//
// Blocks are numbered 1..255 per link; data packets carry their block number in the high byte
// of the inner header's flags (0 = no FEC), the parity packet says which block and how many.

export const LOSS_MIN_PCT = 0.2;
const K_MIN = 4, K_MAX = 16;

/**
 * Packets per parity for a loss rate (percent); 0 = no FEC. About one parity per six expected
 * losses' worth of packets, and at most 16, so a block is short (a lost packet that the parity
 * cannot rebuild waits for its block before it is re-sent).
 */
export function blockSize(lossPct: number): number {
  if (!(lossPct >= LOSS_MIN_PCT)) return 0;
  return Math.max(K_MIN, Math.min(K_MAX, Math.round(100 / (6 * lossPct))));
}

/** XOR of `len` bytes of src into acc (acc is at least as long), 4 bytes at a time. */
export function xorInto(acc: Buffer, src: Buffer, from: number, len: number): void {
  let i = 0;
  const words = len & ~3;
  for (; i < words; i += 4) acc.writeInt32LE(acc.readInt32LE(i) ^ src.readInt32LE(from + i), i);
  for (; i < len; i++) acc[i]! ^= src[from + i]!;
}

/** The running XOR of a block. */
export class Parity {
  readonly buf = Buffer.alloc(2048);
  block = 0; // 0 = none yet
  count = 0;
  lengths = 0; // XOR of the lengths
  longest = 0;
  firstCounter = -1;

  reset(block: number): void {
    this.buf.fill(0, 0, this.longest);
    this.block = block;
    this.count = this.lengths = this.longest = 0;
    this.firstCounter = -1;
  }

  add(src: Buffer, from: number, len: number, counter: number): void {
    xorInto(this.buf, src, from, len);
    this.lengths ^= len;
    this.longest = Math.max(this.longest, len);
    this.count++;
    if (this.firstCounter < 0) this.firstCounter = counter;
  }
}

/** The block number after `b` (1..255). */
export const nextBlock = (b: number) => (b % 255) + 1;
