// Two bonds joined by simulated links, in simulated time: the real Bond, scheduler, congestion
// control, FEC, reorder buffer and AEAD batches, with the lab's link model (Shaper) in place of
// sockets and the network. A source offers UDP-like packets on flows; the sink records when
// each arrives and whether its flow's order held.
//
//   source → sender bond → OutBatch → [link shaper per link] → receiver Inbound → bond → sink
//   acknowledgements and pings flow back the same way over the reverse shapers
import { randomBytes } from 'node:crypto';
import { Bond } from '../../src/device/bond.js';
import { PacketPool, HEADROOM } from '../../src/device/pool.js';
import { KeyTable, Session } from '../../src/device/session.js';
import { Inbound } from '../../src/device/receive.js';
import { CLEAR, INNER } from '../../src/wire/packet.js';
import { Log } from '../../src/log.js';
import { Shaper, defaultQueueBytes, type ShaperSettings } from '../lab/link/shaper.js';
import { SimClock } from './clock.js';
import type { OutBatch } from '../../src/device/out.js';
import type { SchedulerName } from '../../src/config/types.js';

export interface SimLink {
  name: string;
  down: ShaperSettings; // server → client (the direction the tests load)
  up?: ShaperSettings;
}

const EP = Buffer.alloc(24, 1);

/** A packet as it travels: bytes on the wire. */
interface Wire { bytes: Buffer }

export class SimEnd {
  readonly pool = new PacketPool(32768);
  readonly keys = new KeyTable();
  readonly bond: Bond;
  readonly inbound: Inbound;
  session!: Session;
  /** In-order deliveries: flow id, sequence, send time, arrival time. */
  readonly arrivals: { flow: number; seq: number; sent: number; at: number; size: number }[] = [];
  outOfOrder = 0;
  private readonly lastSeq = new Map<number, number>();
  private readonly slots = new Int32Array(64);
  private readonly offsets = new Int32Array(64);
  private readonly lengths = new Int32Array(64);
  private readonly addrs = Buffer.alloc(64 * 24);

  constructor(name: string, readonly clock: SimClock, scheduler: SchedulerName, send: (link: number, w: Wire) => void) {
    const log = new Log('error');
    this.bond = new Bond(name, {
      pool: this.pool, keys: this.keys, alg: 0, log, clock,
      wire: { send: (out: OutBatch) => {
        const b = out.batch;
        for (let i = 0; i < out.count; i++) {
          if (b.lengths[i]! < 0) continue;
          send(out.link[i]!, { bytes: Buffer.from(b.slab.subarray(b.offsets[i]!, b.offsets[i]! + b.lengths[i]!)) });
        }
      } },
      endpoint: () => [EP, 0],
      deliver: (slot) => this.sink(slot),
      allowed: () => true,
      linkState: () => {},
    }, scheduler);
    this.bond.onExpire = () => {};
    this.inbound = new Inbound(this.pool, this.keys, 0, (i) => (i === this.session.localIndex ? { bond: this.bond, session: this.session } : undefined), () => {}, log);
  }

  /** Packets arriving from the simulated network, as one batch. */
  receive(ws: Wire[]): void {
    let n = 0;
    for (const w of ws) {
      const s = this.pool.take();
      if (s < 0) break;
      w.bytes.copy(this.pool.slab, this.pool.offset(s));
      this.slots[n] = s;
      this.offsets[n] = this.pool.offset(s);
      this.lengths[n] = w.bytes.length;
      n++;
    }
    this.inbound.handle(this.slots, this.offsets, this.lengths, this.addrs, n, this.clock.now());
    this.bond.afterReceive();
  }

  /** Offers one packet of `size` bytes on `flow` (a UDP port pair), sequence `seq`. */
  offer(flow: number, seq: number, size: number): boolean {
    const s = this.pool.take();
    if (s < 0) return false;
    const b = this.pool.slab, at = this.pool.offset(s) + HEADROOM;
    b.fill(0, at, at + 28);
    b[at] = 0x45;
    b.writeUInt16BE(size, at + 2);
    b[at + 9] = 17;
    b.writeUInt32BE(0x0a000002, at + 12);
    b.writeUInt32BE(0x0a000001, at + 16);
    b.writeUInt16BE(1000 + flow, at + 20);
    b.writeUInt16BE(2000 + flow, at + 22);
    b.writeUInt32BE(flow, at + 28);
    b.writeUInt32BE(seq, at + 32);
    b.writeDoubleBE(this.clock.now(), at + 36);
    this.bond.enqueue(s, size, this.clock.now());
    return true;
  }

  private sink(slot: number): void {
    const b = this.pool.slab, at = this.pool.offset(slot) + CLEAR + INNER;
    const flow = b.readUInt32BE(at + 28), seq = b.readUInt32BE(at + 32), sent = b.readDoubleBE(at + 36);
    const last = this.lastSeq.get(flow) ?? -1;
    if (seq < last) this.outOfOrder++;
    this.lastSeq.set(flow, Math.max(last, seq));
    this.arrivals.push({ flow, seq, sent, at: this.clock.now(), size: this.pool.length[slot]! });
    this.pool.release(slot);
  }
}

export class BondSim {
  readonly clock = new SimClock();
  readonly client: SimEnd;
  readonly server: SimEnd;
  readonly shapers: { down: Shaper<Wire>; up: Shaper<Wire> }[];

  constructor(links: SimLink[], scheduler: SchedulerName = 'adaptive', seed = 1) {
    // the seed also picks where in a capacity trace each link starts
    this.shapers = links.map((l, i) => ({
      down: new Shaper<Wire>(l.down, seed * 100 + 2 * i, -7919 * seed * (i + 1)),
      up: new Shaper<Wire>(l.up ?? l.down, seed * 100 + 2 * i + 1, -7919 * seed * (i + 1)),
    }));
    this.server = new SimEnd('server', this.clock, scheduler, (link, w) => this.transmit(this.shapers[link]!.down, this.client, w));
    this.client = new SimEnd('client', this.clock, scheduler, (link, w) => this.transmit(this.shapers[link]!.up, this.server, w));
    const c2s = randomBytes(32), s2c = randomBytes(32);
    this.client.session = new Session(this.client.keys, { send: c2s, recv: s2c }, 11, 22, 0, true);
    this.server.session = new Session(this.server.keys, { send: s2c, recv: c2s }, 22, 11, 0, true);
    for (const end of [this.client, this.server]) {
      end.bond.session = end.session;
      links.forEach((l, i) => end.bond.addLink(i, l.name, 'primary'));
    }
  }

  private readonly wakeAt = new Map<Shaper<Wire>, number>();

  private transmit(shaper: Shaper<Wire>, to: SimEnd, w: Wire): void {
    if (shaper.enqueue(w, w.bytes.length + 28, this.clock.now())) this.wake(shaper, to);
  }

  // one pending delivery event per shaper, at its next due time
  private wake(shaper: Shaper<Wire>, to: SimEnd): void {
    const next = shaper.nextDue();
    if (next === Infinity || (this.wakeAt.get(shaper) ?? Infinity) <= next) return;
    this.wakeAt.set(shaper, next);
    this.clock.at(next, () => {
      if (this.wakeAt.get(shaper) !== next) return;
      this.wakeAt.delete(shaper);
      const due = shaper.due(this.clock.now());
      if (due.length) to.receive(due);
      this.wake(shaper, to);
    });
  }

  /**
   * A greedy flow from server to client: keeps `backlog` packets waiting in the server's
   * tunnel queue (what a TCP sender with a large window does), checked every ms.
   */
  bulk(flow: number, from: number, to: number, backlog = 200, size = 1400): void {
    let seq = 0;
    const tick = () => {
      const q = this.server.bond.send.queue;
      while (q.length < backlog) if (!this.server.offer(flow, seq++, size)) break;
      this.server.bond.pump();
      if (this.clock.now() + 1 < to) this.clock.after(1, tick);
    };
    this.clock.at(from, tick);
  }

  /** A constant-rate flow: `mbps` of `size`-byte packets. Returns how many it offered. */
  cbr(flow: number, from: number, to: number, mbps: number, size = 1400): { offered: number } {
    const r = { offered: 0 };
    const perMs = (mbps * 1e6) / 8 / 1000 / size;
    let credit = 0;
    const tick = () => {
      credit += perMs;
      while (credit >= 1) {
        this.server.offer(flow, r.offered++, size);
        credit--;
      }
      this.server.bond.pump();
      if (this.clock.now() + 1 < to) this.clock.after(1, tick);
    };
    this.clock.at(from, tick);
    return r;
  }

  /** Distinct sequence numbers of a flow that reached the client. */
  received(flow: number): number {
    return new Set(this.client.arrivals.filter((a) => a.flow === flow).map((a) => a.seq)).size;
  }

  /** A sparse flow (a ping, a game): one small packet every `everyMs`. */
  sparse(flow: number, from: number, to: number, everyMs: number, size = 100): void {
    let seq = 0;
    const tick = () => {
      this.server.offer(flow, seq++, size);
      this.server.bond.pump();
      if (this.clock.now() + everyMs < to) this.clock.after(everyMs, tick);
    };
    this.clock.at(from, tick);
  }

  run(untilMs: number): void {
    this.clock.run(untilMs);
  }

  /** Mbit/s of IP packets the client received on a flow between two times. */
  goodput(flow: number, from: number, to: number): number {
    let bytes = 0;
    for (const a of this.client.arrivals) if (a.flow === flow && a.at >= from && a.at < to) bytes += a.size;
    return (bytes * 8) / ((to - from) * 1000);
  }

  /** One-way delays (ms) of a flow's packets that arrived between two times. */
  delays(flow: number, from: number, to: number): number[] {
    return this.client.arrivals.filter((a) => a.flow === flow && a.at >= from && a.at < to).map((a) => a.at - a.sent);
  }
}

export const mbps = (rateMbps: number, delayMs: number, lossPct = 0): ShaperSettings => ({ rateMbps, delayMs, lossPct, queueBytes: defaultQueueBytes(rateMbps) });
