// The layout of a transport packet (see docs/protocol.md).
//
//   clear header, 16 bytes, authenticated as AEAD associated data
//     0  type      u8   1 init, 2 response, 3 transport
//     1  link      u8   the client's link id the packet travels on
//     2  flags     u8   (transport: 0)
//     3  reserved  u8
//     4  receiver  u32  session index the receiver chose in the handshake
//     8  counter   u64  per link and direction: the per-link sequence number and, with the
//                       link id, the AEAD nonce
//   encrypted, 16 bytes of inner header then the payload, then a 16-byte tag
//     0  kind      u8   0 data (an IP packet follows), 1 control (frames follow),
//                       2 parity (FEC: XOR of the link's last data packets, see link/fec.ts)
//     1  lane      u8   the inner flow's lane; order is kept per lane
//     2  flags     u16  high byte: FEC block (0 = none); low byte: REPAIR, a re-send of a
//                       packet lost on its link; UNORDERED, deliver at once, outside the
//                       reorder buffer (pure TCP ACKs)
//   a parity packet uses lane = its block, global = packets in the block, laneSeq = the XOR
//   of their lengths
//     4  global    u32  bond-wide sequence number (duplicate detection)
//     8  laneSeq   u32  sequence within the lane (release order)
//    12  sentAt    u32  sender's clock in µs, wrapping (one-way delay differences)

export const TYPE_INIT = 1, TYPE_RESPONSE = 2, TYPE_TRANSPORT = 3;
export const CLEAR = 16, INNER = 16, TAG = 16;
/** Bytes on the wire for `payload` bytes of inner header + packet: outer IPv4/UDP, clear header, tag. */
export const wireBytes = (payload: number) => 28 + CLEAR + payload + TAG;
export const KIND_DATA = 0, KIND_CONTROL = 1, KIND_PARITY = 2;
export const FLAG_REPAIR = 1, FLAG_UNORDERED = 4;

export function writeClear(b: Buffer, at: number, link: number, receiver: number, counter: number): void {
  b[at] = TYPE_TRANSPORT;
  b[at + 1] = link;
  b[at + 2] = 0;
  b[at + 3] = 0;
  b.writeUInt32BE(receiver, at + 4);
  b.writeUInt32BE(Math.floor(counter / 0x100000000), at + 8);
  b.writeUInt32BE(counter >>> 0, at + 12);
}

export function readCounter(b: Buffer, at: number): number {
  return b.readUInt32BE(at + 8) * 0x100000000 + b.readUInt32BE(at + 12);
}

/** The 12-byte nonce for (link, counter): [link, 0, 0, 0, counter as u64]. */
export function writeNonce(nonces: Buffer, i: number, link: number, counter: number): void {
  const at = i * 12;
  nonces[at] = link;
  nonces[at + 1] = nonces[at + 2] = nonces[at + 3] = 0;
  nonces.writeUInt32BE(Math.floor(counter / 0x100000000), at + 4);
  nonces.writeUInt32BE(counter >>> 0, at + 8);
}

export function writeInner(b: Buffer, at: number, kind: number, lane: number, flags: number, global: number, laneSeq: number, sentAt: number): void {
  b[at] = kind;
  b[at + 1] = lane;
  b.writeUInt16BE(flags, at + 2);
  b.writeUInt32BE(global >>> 0, at + 4);
  b.writeUInt32BE(laneSeq >>> 0, at + 8);
  b.writeUInt32BE(sentAt >>> 0, at + 12);
}
