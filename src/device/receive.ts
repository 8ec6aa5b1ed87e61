// The receive path:
//   UDP batch → clear header → session by receiver index → replay pre-check → AEAD open (one
//   call for the batch) → replay window → link accounting → data: duplicates dropped by
//   bond-wide sequence → reorder buffer (per lane) → TUN; control: frames to the bond
// Nothing that fails authentication goes further than the clear header; the server answers
// nothing to it. The first half (Inbound) is the device's, shared by every peer; the second
// (ReceivePath) belongs to one bond.
import { addon } from '../native/addon.js';
import { ADDR_SLOT } from '../native/batch.js';
import { formatEndpoint } from '../conn/endpoint.js';
import { ReplayWindow, unwrap32 } from '../wire/replay.js';
import { TYPE_INIT, TYPE_RESPONSE, TYPE_TRANSPORT, CLEAR, INNER, TAG, KIND_DATA, KIND_CONTROL, KIND_PARITY, FLAG_UNORDERED, readCounter, writeNonce, wireBytes } from '../wire/packet.js';
import { xorInto } from '../link/fec.js';
import { readControl, type ControlHandler } from '../wire/control.js';
import { ReorderBuffer } from '../reorder/buffer.js';
import type { PacketPool } from './pool.js';
import type { KeyTable, Session } from './session.js';
import type { Link } from '../link/link.js';
import type { Log } from '../log.js';

export const MAX_BATCH = 64;
const ACK_EVERY = 8; // data packets per acknowledgement, at most
export const ACK_DELAY_MS = 2; // or this long after the first unacknowledged one

/** What a bond offers the device-level receive path. */
export interface Receiving {
  readonly name: string;
  /** The link with this id, if the bond knows it. */
  link(id: number): Link | undefined;
  /** An authenticated packet; the bond applies the link's replay window (and may add the link). */
  /** Takes an authenticated packet; false when its counter was seen already (a replay). */
  received(linkId: number, counter: number, slot: number, length: number, from: Buffer, fromAt: number, session: Session, now: number): boolean;
}

export interface Counters {
  junk: number; // too short, unknown type or session
  replayed: number;
  forged: number; // failed authentication
}

export class Inbound {
  readonly counters: Counters = { junk: 0, replayed: 0, forged: 0 };
  private readonly keyIdx = new Int32Array(MAX_BATCH);
  private readonly nonces = Buffer.alloc(MAX_BATCH * 12);
  private readonly bond: (Receiving | null)[] = new Array(MAX_BATCH).fill(null);
  private readonly session: (Session | null)[] = new Array(MAX_BATCH).fill(null);
  private readonly lastLog = new Map<string, { at: number; more: number }>();

  constructor(
    private readonly pool: PacketPool,
    private readonly keys: KeyTable,
    private readonly alg: 0 | 1,
    private readonly lookup: (receiverIndex: number) => { bond: Receiving; session: Session } | undefined,
    private readonly handshake: (type: number, packet: Buffer, from: Buffer, fromAt: number) => void,
    private readonly log: Log,
  ) {}

  /**
   * Handles a batch received into pool slots: slots[i] holds lengths[i] bytes from
   * addrs[i*24..]. Every slot is either handed on or released.
   */
  handle(slots: Int32Array, offsets: Int32Array, lengths: Int32Array, addrs: Buffer, count: number, now: number): void {
    const { pool } = this;
    const slab = pool.slab;
    for (let i = 0; i < count; i++) {
      this.bond[i] = null;
      this.keyIdx[i] = -1;
      const at = offsets[i]!, len = lengths[i]!;
      const type = len > 0 ? slab[at]! : 0;
      if (type === TYPE_TRANSPORT && len >= CLEAR + INNER + TAG) {
        const r = this.lookup(slab.readUInt32BE(at + 4));
        if (!r || slab[at + 1] === 255) {
          this.bad('junk', addrs, i * ADDR_SLOT, 'unknown session');
          continue;
        }
        const counter = readCounter(slab, at);
        if (r.bond.link(slab[at + 1]!)?.rx.replay.check(counter) === false) {
          this.counters.replayed++;
          continue;
        }
        this.bond[i] = r.bond;
        this.session[i] = r.session;
        this.keyIdx[i] = r.session.recvKey;
        writeNonce(this.nonces, i, slab[at + 1]!, counter);
      } else if ((type === TYPE_INIT || type === TYPE_RESPONSE) && len <= 512) {
        this.handshake(type, Buffer.from(slab.subarray(at, at + len)), addrs, i * ADDR_SLOT);
      } else {
        this.bad('junk', addrs, i * ADDR_SLOT, len === 0 ? 'oversized datagram' : `unknown packet type ${type} (${len} bytes)`);
      }
    }
    addon().aeadOpen(this.alg, this.keys.keys, this.keyIdx, slab, offsets, lengths, CLEAR, this.nonces, count);
    for (let i = 0; i < count; i++) {
      const bond = this.bond[i];
      const slot = slots[i]!;
      if (!bond) {
        pool.release(slot);
        continue;
      }
      this.bond[i] = null;
      if (lengths[i]! < 0) {
        this.bad('forged', addrs, i * ADDR_SLOT, `packet for ${bond.name} does not authenticate`);
        pool.release(slot);
        continue;
      }
      const at = offsets[i]!;
      if (!bond.received(slab[at + 1]!, readCounter(slab, at), slot, lengths[i]!, addrs, i * ADDR_SLOT, this.session[i]!, now)) this.counters.replayed++;
    }
  }

  /**
   * Counts a dropped packet and logs it, naming the source: one line per source address and
   * kind every 10 s (with how many more there were), so a flood does not flood the log.
   */
  bad(kind: 'junk' | 'forged', addrs: Buffer, at: number, why: string): void {
    this.counters[kind]++;
    const from = formatEndpoint(addrs, at);
    const key = `${from.replace(/:\d+$/, '')} ${kind}`;
    const now = Date.now();
    const seen = this.lastLog.get(key);
    if (seen && seen.at + 10_000 > now) {
      seen.more++;
      return;
    }
    if (this.lastLog.size > 1000) this.lastLog.clear();
    this.lastLog.set(key, { at: now, more: 0 });
    const more = seen?.more ? ` (and ${seen.more} more ${kind} packets from there in the last 10 s)` : '';
    this.log.warn(`dropped packet from ${from}: ${why}${more}`);
  }
}

/** What a bond's receive path reports to its bond. */
export interface ReceiveContext {
  readonly pool: PacketPool;
  readonly control: ControlHandler;
  /** An in-order data packet (IP packet at slot + CLEAR + INNER, pool.length[slot] bytes). */
  deliver(slot: number): void;
  /** False when the inner packet's source is not allowed from this peer (server). */
  allowed(slot: number): boolean;
  /** The receiver owes the peer an acknowledgement now. */
  ackNow(): void;
  /** …or within ACK_DELAY_MS. */
  ackSoon(): void;
}

export class ReceivePath {
  readonly reorder: ReorderBuffer;
  private dedupe = new ReplayWindow(1 << 16);
  private unacked = 0;
  spoofed = 0;
  duplicates = 0;
  malformed = 0;

  constructor(private readonly c: ReceiveContext, private readonly log: Log) {
    this.reorder = new ReorderBuffer((slot) => c.deliver(slot), (slot) => c.pool.release(slot));
  }

  /** Sequence numbers start over (a fresh session). */
  restart(): void {
    this.reorder.clear();
    this.dedupe = new ReplayWindow(1 << 16);
  }

  /** An authenticated packet: plaintext (inner header + payload) at slot + CLEAR, `length` bytes. */
  packet(link: Link, counter: number, slot: number, length: number, now: number): void {
    const { pool } = this.c;
    const slab = pool.slab;
    const at = pool.offset(slot) + CLEAR;
    const kind = slab[at]!;
    link.rx.receive(counter, wireBytes(length), slab.readUInt32BE(at + 12), now);
    if (kind === KIND_DATA && length > INNER) {
      const block = slab[at + 2]!;
      if (block) {
        const par = link.rxParity;
        if (par.block !== block) par.reset(block);
        par.add(slab, at, length, counter);
      }
      this.data(slot, length, now);
      if (link.rx.gap) this.c.ackNow();
      else if (++this.unacked >= ACK_EVERY) this.c.ackNow();
      else this.c.ackSoon();
      return;
    }
    if (kind === KIND_PARITY) {
      this.recover(link, counter, at, length, now);
    } else if (kind === KIND_CONTROL) {
      const err = readControl(slab, at + INNER, at + length, this.c.control);
      if (err) {
        this.malformed++;
        this.log.warn(`malformed control packet on link ${link.name}: ${err}`);
      }
    } else {
      this.malformed++;
    }
    pool.release(slot);
  }

  // A data packet, received or rebuilt: duplicates out, then in order per lane.
  private data(slot: number, length: number, now: number): void {
    const { pool } = this.c;
    const slab = pool.slab;
    const at = pool.offset(slot) + CLEAR;
    pool.length[slot] = length - INNER;
    if (!this.dedupe.accept(unwrap32(slab.readUInt32BE(at + 4), this.dedupe.highest))) {
      this.duplicates++;
      pool.release(slot);
    } else if (!this.c.allowed(slot)) {
      this.spoofed++;
      pool.release(slot);
    } else if (slab.readUInt16BE(at + 2) & FLAG_UNORDERED) {
      this.c.deliver(slot);
    } else {
      this.reorder.push(slab[at + 1]!, slab.readUInt32BE(at + 8), slot, now);
    }
  }

  private readonly gone: number[] = [];

  // A parity packet: if exactly one data packet of its block is missing, rebuild it.
  private recover(link: Link, counter: number, at: number, length: number, now: number): void {
    const { pool } = this.c;
    const slab = pool.slab;
    const par = link.rxParity;
    const block = slab[at + 1]!, k = slab.readUInt32BE(at + 4), lengths = slab.readUInt32BE(at + 8);
    link.rxFecK = k;
    if (par.block !== block || par.count !== k - 1) return;
    const len = (par.lengths ^ lengths) >>> 0;
    if (len <= INNER || len > length - INNER) return;
    const slot = pool.take();
    if (slot < 0) return;
    xorInto(par.buf, slab, at + INNER, length - INNER);
    par.buf.copy(slab, pool.offset(slot) + CLEAR, 0, len);
    par.reset(0);
    link.fecRecovered++;
    // the packet's counter is the one gap in the block: tell the sender it arrived
    if (link.rx.missing(par.firstCounter, counter, this.gone, 2) === 1) link.rx.markReceived(this.gone[0]!);
    this.data(slot, len, now);
  }

  acked(): void {
    this.unacked = 0;
  }
}
