// A UDP socket for one WAN link (client) or for all peers (server): bound to a source address
// (and optionally a device and fwmark), large buffers, recvmmsg/sendmmsg batches through the
// addon. A full send queue drops the rest of a batch, as a router's full queue would.
import { addon } from '../native/addon.js';
import type { PacketBatch } from '../native/batch.js';

export interface UdpOptions {
  address: string; // '0.0.0.0', '::' or the link's own address
  port?: number; // 0 or absent: any free port
  device?: string; // SO_BINDTODEVICE
  mark?: number; // SO_MARK
  bufferBytes?: number; // SO_RCVBUF and SO_SNDBUF; several MB so bursts at line rate are not dropped
}

export class UdpSocket {
  readonly fd: number;
  readonly port: number;
  private poller: object | undefined;
  private readonly status = new Int32Array(2);
  /** Packets refused by the kernel (no route, address gone): count and last errno. */
  sendErrors = 0;
  lastSendErrno = 0;

  constructor(readonly options: UdpOptions) {
    const family = options.address.includes(':') ? 6 : 4;
    [this.fd, this.port] = addon().udpOpen(
      family, options.address, options.port ?? 0, options.device ?? '', options.mark ?? 0,
      options.bufferBytes ?? 4 << 20,
    );
  }

  onReadable(onReadable: () => void): void {
    if (this.poller) throw new Error('udp socket already polled');
    this.poller = addon().pollStart(this.fd, onReadable);
  }

  /** Receives one batch into the batch's slots: lengths[i] (0 = too long, drop it) and addrs[i*24..]. */
  receive(batch: PacketBatch): number {
    batch.count = addon().udpRecv(this.fd, batch.slab, batch.offsets, batch.slotSize - batch.headroom, batch.capacity, batch.lengths, batch.addrs);
    return batch.count;
  }

  /** Receives into slab[offsets[i]] (cap bytes each), up to max datagrams. */
  receiveInto(slab: Buffer, offsets: Int32Array, cap: number, max: number, lengths: Int32Array, addrs: Buffer): number {
    return addon().udpRecv(this.fd, slab, offsets, cap, max, lengths, addrs);
  }

  /**
   * Sends packets slab[offsets[i]..+lengths[i]] to addrs[i*24..] (or all to addrs[0..24] when
   * addrs holds one slot). Returns how many were consumed: sent, or refused by the kernel
   * (counted in sendErrors); the rest met a full queue and were not sent.
   */
  send(slab: Buffer, offsets: Int32Array, lengths: Int32Array, addrs: Buffer, count: number): number {
    this.status[0] = 0;
    const sent = addon().udpSend(this.fd, slab, offsets, lengths, addrs, count, this.status);
    if (this.status[0]) {
      this.sendErrors += this.status[0];
      this.lastSendErrno = this.status[1]!;
    }
    return sent;
  }

  close(): void {
    if (this.poller) addon().pollStop(this.poller);
    this.poller = undefined;
    addon().close(this.fd);
  }
}
