// The send path of one bond:
//   TUN packet → lane and class → tunnel queue (per lane, CoDel) → scheduler picks a link → the link's
//   pacing queue (inner header written, sequence numbers assigned) → pacing slot → counter and
//   clear header → sealed with the batch → wire
// Packets stay in their pool slot until acknowledged, so that a packet lost on one link can be
// re-sent (repaired) on another. Control packets (ACK, PING, …) skip the queues.
import { LANES, laneOf, isPureAck } from '../reorder/lanes.js';
import { markCE } from '../queue/codel.js';
import { FlowQueue, type Queued } from '../queue/fq.js';
import { writeInner, KIND_DATA, KIND_CONTROL, KIND_PARITY, FLAG_REPAIR, FLAG_UNORDERED, INNER, TAG, wireBytes } from '../wire/packet.js';
import { nextBlock } from '../link/fec.js';
import { ControlWriter } from '../wire/control.js';
import { HEADROOM, SLOT, type PacketPool } from './pool.js';
import { IntFifo } from './fifo.js';
import type { OutBatch } from './out.js';
import type { Link } from '../link/link.js';
import type { Scheduler } from '../sched/scheduler.js';
import { predictedArrival } from '../sched/earliest-arrival.js';

const QUEUE_PACKETS = 4096;
const PACE_BURST_MS = 3; // how far behind schedule a link may catch up in one burst (timers run late)

/** What the send path needs from its bond. */
export interface SendContext {
  readonly pool: PacketPool;
  readonly links: readonly Link[];
  scheduler: Scheduler;
  readonly out: OutBatch;
  /** Session to send under: key index and the receiver's session index, or null before a handshake. */
  sendKey(): { key: number; receiver: number } | null;
  /** The peer's endpoint for a link (24-byte slot). */
  endpoint(link: Link): [Buffer, number] | null;
  clock(): number; // µs, for inner headers
}

export class SendPath {
  readonly queue: FlowQueue;
  private nextGlobal = 0;
  private readonly laneNext = new Uint32Array(LANES);
  private readonly pending: IntFifo[] = [];
  private readonly chosen: Link[] = [];
  private readonly head: Queued = { slot: 0, size: 0, lane: 0, urgent: false, backlog: 0 };
  repairs = 0;
  copies = 0;
  skips = 0;
  private readonly writer: ControlWriter;

  constructor(private readonly c: SendContext) {
    this.writer = new ControlWriter(c.pool.slab);
    this.queue = new FlowQueue(QUEUE_PACKETS, (slot) => markCE(c.pool.slab, c.pool.offset(slot) + HEADROOM), (slot) => c.pool.release(slot));
  }

  /** Sequence numbers start over (a fresh session). */
  restart(): void {
    this.nextGlobal = 0;
    this.laneNext.fill(0);
  }

  /** A packet read from the TUN device into `slot` (IP packet at HEADROOM, `len` bytes). */
  enqueue(slot: number, len: number, now: number): void {
    const { pool } = this.c;
    const at = pool.offset(slot) + HEADROOM;
    pool.length[slot] = len;
    const urgent = isPureAck(pool.slab, at, len);
    if (!this.queue.push(slot, wireBytes(INNER + len), laneOf(pool.slab, at, len), urgent, now)) pool.release(slot);
  }

  /**
   * Moves packets from the tunnel queue to links and sends what pacing allows; returns when
   * pacing wants to be called again (Infinity: nothing waits for a pacing slot).
   */
  pump(now: number): number {
    const { links } = this.c;
    const q = this.queue;
    // schedule and send until nothing moves: sending can make room for more
    for (let round = 0; round < 8; round++) {
      this.schedule(now);
      let sent = 0;
      for (const l of links) {
        if (!l) continue;
        const p = this.pending[l.id];
        if (p && p.length) sent += this.transmit(l, p, now, q.length === 0);
        else if (q.length === 0 && l.room() > 0) l.sent.markAppLimited();
      }
      if (q.length === 0 || sent === 0) break;
    }
    this.c.out.flush();
    // wake up when a pacing slot opens for what waits on a link (which also makes room for
    // what waits in the tunnel queue); a queue waiting for a window to open is woken by the
    // acknowledgement that opens it
    let wake = Infinity;
    for (const l of links) if (l?.usable && this.pending[l.id]?.length) wake = Math.min(wake, l.nextSendAt);
    return wake;
  }

  private schedule(now: number): void {
    const q = this.queue;
    while (q.peek(now, this.head)) {
      const n = this.c.scheduler.pick(this.c.links, this.head, now, this.chosen);
      if (n === 0) break;
      q.pop();
      this.assign(this.head, n);
    }
  }

  private assign(h: Queued, n: number): void {
    const { pool } = this.c;
    // unordered packets take no place in their lane's sequence: they would leave holes in it
    const laneSeq = h.urgent ? 0 : this.laneNext[h.lane]!;
    if (!h.urgent) this.laneNext[h.lane] = (laneSeq + 1) >>> 0;
    writeInner(pool.slab, pool.offset(h.slot) + HEADROOM - INNER, KIND_DATA, h.lane, h.urgent ? FLAG_UNORDERED : 0, this.nextGlobal, laneSeq, 0);
    this.nextGlobal = (this.nextGlobal + 1) >>> 0;
    for (let k = 0; k < n; k++) {
      if (k > 0) pool.ref(h.slot);
      this.linkQueue(this.chosen[k]!).push(h.slot);
      this.chosen[k]!.queued += h.size;
    }
  }

  private linkQueue(l: Link): IntFifo {
    return (this.pending[l.id] ??= new IntFifo());
  }

  // Sends a link's queued packets up to its pacing rate; returns how many went.
  // When the tunnel has nothing more for the link although it has room, what the link
  // delivers until these packets are acknowledged says little about its capacity: the
  // samples are marked application-limited (BBR's rule).
  private transmit(l: Link, p: IntFifo, now: number, idle: boolean): number {
    const { pool, out } = this.c;
    const session = this.c.sendKey();
    const ep = this.c.endpoint(l);
    if (!session || !ep || !l.usable) return 0;
    let sent = 0;
    const rate = Math.max(1e-3, l.pacingRate());
    if (l.nextSendAt < now - PACE_BURST_MS) l.nextSendAt = now - PACE_BURST_MS;
    const sentAt = this.c.clock();
    while (p.length && l.nextSendAt <= now) {
      const slot = p.shift();
      const len = INNER + pool.length[slot]!;
      const bytes = wireBytes(len);
      l.queued -= bytes;
      const src = pool.offset(slot) + HEADROOM - INNER;
      pool.slab.writeUInt32BE(sentAt >>> 0, src + 12);
      if (idle && p.length === 0 && l.room() > 0) l.sent.markAppLimited();
      const fec = l.fecK > 0;
      if (fec && l.txParity.block === 0) l.txParity.reset(1);
      pool.slab[src + 2] = fec ? l.txParity.block : 0;
      const counter = l.sent.send(bytes, slot, now);
      out.add(l.id, session.receiver, counter, session.key, src, len, ep[0], ep[1]);
      l.countSent(bytes, true);
      l.nextSendAt += bytes / rate;
      sent++;
      if (fec) {
        l.txParity.add(pool.slab, src, len, counter);
        if (l.txParity.count >= l.fecK || (idle && p.length === 0 && l.txParity.count >= 2)) this.parity(l, now, session, ep);
      }
    }
    return sent;
  }

  // The parity packet of the link's current FEC block, right behind it on the same link.
  private parity(l: Link, now: number, session: { key: number; receiver: number }, ep: [Buffer, number]): void {
    const { pool, out } = this.c;
    const par = l.txParity;
    const slot = pool.take();
    if (slot >= 0) {
      const base = pool.offset(slot) + HEADROOM - INNER;
      writeInner(pool.slab, base, KIND_PARITY, par.block, 0, par.count, par.lengths, this.c.clock());
      par.buf.copy(pool.slab, base + INNER, 0, par.longest);
      const len = INNER + par.longest;
      const bytes = wireBytes(len);
      const counter = l.sent.send(bytes, -1, now);
      out.add(l.id, session.receiver, counter, session.key, base, len, ep[0], ep[1], slot);
      l.countSent(bytes, false);
      l.nextSendAt += bytes / Math.max(1e-3, l.pacingRate());
    }
    par.reset(nextBlock(par.block));
  }

  /**
   * A data packet was lost on `lostOn`: re-send it once on the link where it arrives first,
   * ahead of that link's queue; a packet already repaired once is given up (SKIP).
   */
  repair(slot: number, lostOn: Link, now: number): void {
    const { pool, links } = this.c;
    const hdr = pool.offset(slot) + HEADROOM - INNER;
    const flags = pool.slab.readUInt16BE(hdr + 2);
    let best: Link | undefined, bestAt = Infinity;
    if (!(flags & FLAG_REPAIR)) {
      for (const l of links) {
        if (!l || !l.usable) continue;
        const at = predictedArrival(l, now) + (l === lostOn ? 0.5 : 0);
        if (at < bestAt) (best = l), (bestAt = at);
      }
    }
    if (!best) {
      this.skip(slot);
      return;
    }
    this.resendOn(best, slot);
    this.repairs++;
  }

  /**
   * Sends a copy of a packet still in flight on a link that stalled, on the link where it
   * arrives first; the original stays tracked (whichever arrives first is kept).
   */
  copy(slot: number, from: Link, now: number): boolean {
    const { pool, links } = this.c;
    let best: Link | undefined, bestAt = Infinity;
    for (const l of links) {
      if (!l || !l.usable || l === from || l.room() <= 0) continue;
      const at = predictedArrival(l, now);
      if (at < bestAt) (best = l), (bestAt = at);
    }
    if (!best || bestAt >= now + from.owd(now)) return false;
    pool.ref(slot);
    this.resendOn(best, slot);
    this.copies++;
    return true;
  }

  // At the head of the link's queue, marked as a repair (so that it is not repaired again).
  private resendOn(to: Link, slot: number): void {
    const { pool } = this.c;
    const hdr = pool.offset(slot) + HEADROOM - INNER;
    pool.slab.writeUInt16BE(pool.slab.readUInt16BE(hdr + 2) | FLAG_REPAIR, hdr + 2);
    this.linkQueue(to).unshift(slot);
    to.queued += wireBytes(INNER + pool.length[slot]!);
    to.repairs++;
  }

  private readonly skipLanes: number[] = [];
  private readonly skipSeqs: number[] = [];

  private skip(slot: number): void {
    const { pool } = this.c;
    const hdr = pool.offset(slot) + HEADROOM - INNER;
    if (!(pool.slab.readUInt16BE(hdr + 2) & FLAG_UNORDERED)) {
      this.skipLanes.push(pool.slab[hdr + 1]!);
      this.skipSeqs.push(pool.slab.readUInt32BE(hdr + 8));
    }
    pool.release(slot);
    this.skips++;
  }

  /** Skips gathered since the last call, for a SKIP frame; clears them. */
  takeSkips(w: ControlWriter): void {
    let n = this.skipLanes.length;
    while (n > 0) {
      const k = Math.min(n, 200);
      w.skip(this.skipLanes.splice(0, k), this.skipSeqs.splice(0, k), k);
      n -= k;
    }
  }

  get skipsPending(): boolean {
    return this.skipLanes.length > 0;
  }

  /**
   * Sends one control packet on `l` now, its frames written by `build`. Control packets are
   * not tracked for loss or congestion (they are small and their content is refreshed).
   */
  control(l: Link, now: number, build: (w: ControlWriter) => void): boolean {
    const { pool, out } = this.c;
    const session = this.c.sendKey();
    const ep = this.c.endpoint(l);
    if (!session || !ep) return false;
    const slot = pool.take();
    if (slot < 0) return false;
    const base = pool.offset(slot) + HEADROOM - INNER;
    writeInner(pool.slab, base, KIND_CONTROL, 0, 0, 0, 0, this.c.clock());
    const w = this.writer.begin(base + INNER, pool.offset(slot) + SLOT - TAG);
    build(w);
    const len = w.length - base;
    const bytes = wireBytes(len);
    const counter = l.sent.send(bytes, -1, now);
    out.add(l.id, session.receiver, counter, session.key, base, len, ep[0], ep[1], slot);
    l.countSent(bytes, false);
    return true;
  }

  /** Drops everything queued (shutdown). */
  clear(): void {
    const { pool } = this.c;
    while (this.queue.peek(Infinity, this.head)) {
      this.queue.pop();
      pool.release(this.head.slot);
    }
    for (const [id, p] of this.pending.entries()) {
      if (!p) continue;
      p.drain((s) => pool.release(s));
      const l = this.c.links[id];
      if (l) l.queued = 0;
    }
  }
}
