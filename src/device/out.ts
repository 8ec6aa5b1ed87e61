// Packets on their way to the wire, collected while a bond pumps and sealed in one addon call:
// the clear header is written into the output slot, the plaintext (inner header + payload)
// stays in its pool slot so it can be re-sent, and the ciphertext lands after the header.
import { addon } from '../native/addon.js';
import { PacketBatch, ADDR_SLOT } from '../native/batch.js';
import { writeClear, writeNonce, CLEAR } from '../wire/packet.js';
import { SLOT, type PacketPool } from './pool.js';
import type { KeyTable } from './session.js';

export const OUT_BATCH = 256;

/** Sends a sealed batch: the client over each link's socket, the server over its one socket. */
export interface Wire {
  send(out: OutBatch): void;
}

export class OutBatch {
  readonly batch = new PacketBatch(OUT_BATCH, SLOT, 0);
  readonly link = new Uint8Array(OUT_BATCH);
  private readonly keyIdx = new Int32Array(OUT_BATCH);
  private readonly srcOffsets = new Int32Array(OUT_BATCH);
  private readonly srcLengths = new Int32Array(OUT_BATCH);
  private readonly nonces = Buffer.alloc(OUT_BATCH * 12);
  private readonly releaseAfter: number[] = []; // control packets' pool slots
  count = 0;

  constructor(private readonly pool: PacketPool, private readonly keys: KeyTable, private readonly alg: 0 | 1, private readonly wire: Wire) {}

  /** Adds a packet; sends the batch first when it is full. `to` is the peer's endpoint slot. */
  add(link: number, receiver: number, counter: number, key: number, srcOffset: number, srcLength: number, to: Buffer, toAt: number, releaseSlot = -1): void {
    if (this.count === OUT_BATCH) this.flush();
    const i = this.count++;
    writeClear(this.batch.slab, this.batch.offsets[i]!, link, receiver, counter);
    writeNonce(this.nonces, i, link, counter);
    to.copy(this.batch.addrs, i * ADDR_SLOT, toAt, toAt + ADDR_SLOT);
    this.link[i] = link;
    this.keyIdx[i] = key;
    this.srcOffsets[i] = srcOffset;
    this.srcLengths[i] = srcLength;
    if (releaseSlot >= 0) this.releaseAfter.push(releaseSlot);
  }

  flush(): void {
    if (this.count === 0) return;
    const b = this.batch;
    addon().aeadSeal(this.alg, this.keys.keys, this.keyIdx, b.slab, b.offsets, CLEAR, this.pool.slab, this.srcOffsets, this.srcLengths, this.nonces, this.count, b.lengths);
    for (const s of this.releaseAfter) this.pool.release(s);
    this.releaseAfter.length = 0;
    b.count = this.count;
    this.wire.send(this);
    this.count = 0;
  }
}
