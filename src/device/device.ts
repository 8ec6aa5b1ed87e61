// What client and server share around their bonds: the packet pool, the session keys, the TUN
// device with its batched reads and writes, and the authenticated receive path.
//   TUN readable → batch into pool slots → route(packet) picks the bond → enqueue → pump
//   UDP readable → batch into pool slots → Inbound (authenticate) → bonds → TUN writes
import { performance } from 'node:perf_hooks';
import { TunDevice } from '../tun/device.js';
import { PacketPool, SLOT, HEADROOM } from './pool.js';
import { KeyTable } from './session.js';
import { Inbound, MAX_BATCH, type Receiving } from './receive.js';
import { CLEAR, INNER } from '../wire/packet.js';
import type { Bond } from './bond.js';
import type { Session } from './session.js';
import type { UdpSocket } from '../conn/udp.js';
import type { Cipher } from '../config/types.js';
import type { Log } from '../log.js';

const POOL_SLOTS = 16384;

interface Found { bond: Receiving & Bond; session: Session }

export abstract class Device {
  readonly pool = new PacketPool(POOL_SLOTS);
  readonly keys = new KeyTable();
  readonly alg: 0 | 1;
  readonly inbound: Inbound;
  tun: TunDevice | undefined;
  private readonly readSlots = new Int32Array(MAX_BATCH);
  private readonly readOffsets = new Int32Array(MAX_BATCH);
  private readonly readLengths = new Int32Array(MAX_BATCH);
  private readonly readAddrs = Buffer.alloc(MAX_BATCH * 24);
  private readonly tunOut: number[] = [];
  private readonly tunOffsets = new Int32Array(1024);
  private readonly tunLengths = new Int32Array(1024);
  private readonly touched = new Set<Bond>();
  tunDrops = 0;

  constructor(cipher: Cipher, readonly log: Log) {
    this.alg = cipher === 'aes-256-gcm' ? 0 : 1;
    this.inbound = new Inbound(this.pool, this.keys, this.alg, (i) => this.lookup(i), (type, p, from, at) => this.handshake(type, p, from, at), log);
  }

  /**
   * The bond and session a receiver index belongs to. Asked for every received packet and read
   * at once, so implementations fill and return one reused object (`found`).
   */
  protected abstract lookup(index: number): Found | undefined;
  protected readonly found: Found = { bond: undefined!, session: undefined! };
  /** A handshake message arrived. */
  protected abstract handshake(type: number, packet: Buffer, from: Buffer, fromAt: number): void;
  /** The bond an IP packet read from the TUN device goes to (slot holds it at HEADROOM). */
  protected abstract route(slot: number, len: number): Bond | undefined;

  openTun(name: string): TunDevice {
    const tun = new TunDevice(name);
    this.tun = tun;
    tun.onReadable(() => this.readTun());
    return tun;
  }

  // Takes up to a batch of free slots for a read, the packet to land `at` bytes into each.
  private takeSlots(at: number): number {
    const { pool } = this;
    let n = 0;
    for (; n < MAX_BATCH; n++) {
      const s = pool.take();
      if (s < 0) break;
      this.readSlots[n] = s;
      this.readOffsets[n] = pool.offset(s) + at;
    }
    return n;
  }

  private readTun(): void {
    const tun = this.tun!;
    const { pool } = this;
    const n = this.takeSlots(HEADROOM);
    // no room for an AEAD tag is needed after the packet: sealing writes to the output batch
    const got = n ? tun.readInto(pool.slab, this.readOffsets, SLOT - HEADROOM, n, this.readLengths) : 0;
    const now = performance.now();
    for (let i = 0; i < got; i++) {
      const slot = this.readSlots[i]!;
      const bond = this.route(slot, this.readLengths[i]!);
      if (!bond) {
        pool.release(slot);
        continue;
      }
      bond.enqueue(slot, this.readLengths[i]!, now);
      this.touched.add(bond);
    }
    for (let i = got; i < n; i++) pool.release(this.readSlots[i]!);
    for (const b of this.touched) b.pump();
    this.touched.clear();
  }

  /** Reads one batch from a UDP socket and takes it through the receive path. */
  readSocket(sock: UdpSocket): void {
    const { pool } = this;
    const n = this.takeSlots(0);
    const got = n ? sock.receiveInto(pool.slab, this.readOffsets, SLOT, n, this.readLengths, this.readAddrs) : 0;
    for (let i = got; i < n; i++) pool.release(this.readSlots[i]!);
    if (got === 0) return;
    this.inbound.handle(this.readSlots, this.readOffsets, this.readLengths, this.readAddrs, got, performance.now());
    for (const b of this.touched) b.afterReceive();
    this.touched.clear();
    this.flushTun();
  }

  /** Marks a bond as having received something in this batch (it pumps after). */
  touch(b: Bond): void {
    this.touched.add(b);
  }

  /** Queues an in-order packet for the TUN device. */
  deliver(slot: number): void {
    this.tunOut.push(slot);
    if (this.tunOut.length === this.tunOffsets.length) this.flushTun();
  }

  flushTun(): void {
    const out = this.tunOut;
    if (!out.length) return;
    const { pool } = this;
    for (let i = 0; i < out.length; i++) {
      this.tunOffsets[i] = pool.offset(out[i]!) + CLEAR + INNER;
      this.tunLengths[i] = pool.length[out[i]!]!;
    }
    const written = this.tun ? this.tun.write(pool.slab, this.tunOffsets, this.tunLengths, out.length) : 0;
    this.tunDrops += out.length - written;
    for (const s of out) pool.release(s);
    out.length = 0;
  }

  closeTun(): void {
    this.tun?.close();
    this.tun = undefined;
  }
}
