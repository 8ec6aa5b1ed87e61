// A TUN device (IFF_TUN | IFF_NO_PI): one IP packet per read or write, no header in front.
// Reads happen in batches when the fd is readable; writes take a batch. Address, MTU and
// link state are set with `ip`, like any other interface (see sys/ip.ts).
import { addon } from '../native/addon.js';
import type { PacketBatch } from '../native/batch.js';

export class TunDevice {
  readonly fd: number;
  readonly name: string;
  private poller: object | undefined;

  constructor(name: string) {
    [this.fd, this.name] = addon().tunOpen(name);
  }

  /** Calls onReadable whenever packets wait; it should read at most one batch per call. */
  onReadable(onReadable: () => void): void {
    if (this.poller) throw new Error(`${this.name}: already polled`);
    this.poller = addon().pollStart(this.fd, onReadable);
  }

  /** Fills the batch's slots from 0; returns the number of packets read (0 when none wait). */
  read(batch: PacketBatch): number {
    batch.count = addon().readBatch(this.fd, batch.slab, batch.offsets, batch.slotSize - batch.headroom, batch.capacity, batch.lengths);
    return batch.count;
  }

  /** Reads into slab[offsets[i]] (cap bytes each), up to max packets. */
  readInto(slab: Buffer, offsets: Int32Array, cap: number, max: number, lengths: Int32Array): number {
    return addon().readBatch(this.fd, slab, offsets, cap, max, lengths);
  }

  /** Writes packets slab[offsets[i]..+lengths[i]] for i < count; returns how many were taken. */
  write(slab: Buffer, offsets: Int32Array, lengths: Int32Array, count: number): number {
    return addon().writeBatch(this.fd, slab, offsets, lengths, count);
  }

  close(): void {
    if (this.poller) addon().pollStop(this.poller);
    this.poller = undefined;
    addon().close(this.fd);
  }
}
