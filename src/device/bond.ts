// One bond: the links between this host and one peer, and everything that moves packets over
// them. The client has one (to its server); the server has one per connected client. Both
// ends run the same code; what differs (sockets, endpoints, routing) comes in through
// BondHost.
//
// What happens when:
//   packets from the TUN device → send.enqueue, then pump
//   an authenticated packet     → received: replay window, link accounting, receive path
//   an ACK frame                → links' windows and estimates, losses → repair, then pump
//   every TICK_MS               → link health (down links' packets re-sent), pings, hold time
//   every second                → rates for the status
import { Link, type LinkRole, type LinkState } from '../link/link.js';
import { LinkReceiver } from '../link/receiver.js';
import { createScheduler, type Scheduler } from '../sched/scheduler.js';
import { SendPath } from './send.js';
import { ReceivePath, ACK_DELAY_MS, type Receiving } from './receive.js';
import { OutBatch, type Wire } from './out.js';
import { Timers } from './timers.js';
import { systemClock, type Clock } from './clock.js';
import { F_PONG, type AckEntry, type ControlHandler, type LinkAnnouncement, F_PING } from '../wire/control.js';
import { INNER, wireBytes } from '../wire/packet.js';
import type { PacketPool } from './pool.js';
import type { KeyTable, Session } from './session.js';
import type { SchedulerName } from '../config/types.js';
import type { Log } from '../log.js';

const TICK_MS = 50;
const FEC_GRACE_MS = 5; // jitter between the acknowledgement that reported a loss and the next
const LATE_COPY_MS = 10; // on a link this overdue, packets are copied to another
const TRACE = !!process.env.BOND_TRACE;
const HOLD_MIN_MS = 5, HOLD_MAX_MS = 500;

/** How long after a loss the parity of a block of `k` packets may still rebuild it, at `bytesPerMs` on the link. */
function fecWaitMs(k: number, bytesPerMs: number): number {
  return (k * 1500) / Math.max(1, bytesPerMs) + 2 * ACK_DELAY_MS + FEC_GRACE_MS;
}

export interface BondHost {
  readonly pool: PacketPool;
  readonly keys: KeyTable;
  readonly alg: 0 | 1;
  readonly wire: Wire;
  readonly log: Log;
  /** Time; the system's unless a simulation drives the bond. */
  readonly clock?: Clock;
  /** Where packets for this link go (24-byte endpoint slot), or null if unknown yet. */
  endpoint(link: Link): [Buffer, number] | null;
  /** A packet arrived on a link from `from` (the server learns and follows endpoints). */
  seen?(link: Link, from: Buffer, fromAt: number, now: number): void;
  /** An in-order IP packet for the TUN device (at slot + CLEAR + INNER, pool.length[slot] bytes). */
  deliver(slot: number): void;
  /** The server checks that an inner packet's source address belongs to this peer. */
  allowed(slot: number): boolean;
  linkState(bond: Bond, link: Link, old: LinkState): void;
  /** The peer described its links (the server learns names, roles and ceilings). */
  links?(links: LinkAnnouncement[]): void;
  /** The peer said goodbye. */
  closed?(): void;
  /** The first authenticated packet under a session not yet confirmed (server). */
  confirm?(session: Session): void;
}

export class Bond implements Receiving {
  readonly links: Link[] = [];
  session: Session | null = null;
  readonly send: SendPath;
  readonly receive: ReceivePath;
  readonly out: OutBatch;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly ackEntries: AckEntry[] = [];
  private scheduler: Scheduler;
  private readonly lost: { slot: number; link: Link; counter: number }[] = [];
  // packets lost on a link with FEC, waiting to see whether the parity rebuilt them
  private readonly graced: { slot: number; link: Link; counter: number; until: number }[] = [];
  private lastStats: number;
  private readonly control: ControlHandler;
  readonly startedAt = Date.now();

  constructor(readonly name: string, private readonly host: BondHost, scheduler: SchedulerName) {
    this.clock = host.clock ?? systemClock;
    this.timers = new Timers(this.clock);
    this.lastStats = this.clock.now();
    this.out = new OutBatch(host.pool, host.keys, host.alg, host.wire);
    this.scheduler = createScheduler(scheduler);
    const bond = this;
    this.send = new SendPath({
      pool: host.pool,
      links: this.links,
      get scheduler() {
        return bond.scheduler;
      },
      out: this.out,
      sendKey: () => (this.session ? { key: this.session.sendKey, receiver: this.session.remoteIndex } : null),
      endpoint: (l) => host.endpoint(l),
      clock: () => (this.clock.now() * 1000) >>> 0,
    });
    this.control = {
      ack: (e) => this.onAck(e),
      ping: (link, id) => this.onPing(link, id),
      pong: (link, id) => this.links[link]?.onPong(id, this.clock.now()),
      skip: (lane, seq) => this.receive.reorder.skip(lane, seq, this.clock.now()),
      links: (l) => host.links?.(l),
      close: () => host.closed?.(),
      rate: (link, kbps, lossPct) => this.links[link]?.onPeerRates(kbps, lossPct),
    };
    this.receive = new ReceivePath({
      pool: host.pool,
      control: this.control,
      deliver: (slot) => host.deliver(slot),
      allowed: (slot) => host.allowed(slot),
      ackNow: () => this.sendAck(),
      ackSoon: () => this.ackSoon(),
    }, host.log);
    this.timers.arm('tick', this.clock.now() + TICK_MS, () => this.tick());
  }

  get schedulerName(): SchedulerName {
    return this.scheduler.name;
  }

  setScheduler(name: SchedulerName): void {
    if (name !== this.scheduler.name) this.scheduler = createScheduler(name);
  }

  addLink(id: number, name: string, role: LinkRole): Link {
    const now = this.clock.now();
    const l = new Link(id, name, role, now);
    if (TRACE) l.cc.onFilled = (why) => this.host.log.info(`trace ${this.name}: link ${l.name} startup done: ${why}`);
    l.sent.onForget = (slot, delivered, counter) => {
      if (delivered) this.host.pool.release(slot);
      else this.lost.push({ slot, link: l, counter });
    };
    this.links[id] = l;
    return l;
  }

  link(id: number): Link | undefined {
    return this.links[id];
  }

  /** A link leaves the bond (configuration): what it had in flight is re-sent elsewhere. */
  removeLink(id: number): void {
    const l = this.links[id];
    if (!l) return;
    l.enabled = false;
    l.sent.loseAll();
    delete this.links[id];
    this.pump();
  }

  // ---- send side

  /** A packet from the TUN device (IP packet at slot + HEADROOM, len bytes). */
  enqueue(slot: number, len: number, now: number): void {
    this.send.enqueue(slot, len, now);
  }

  pump(): void {
    const now = this.clock.now();
    this.handleLosses(now);
    const wake = this.send.pump(now);
    if (wake !== Infinity) this.timers.arm('pace', wake, () => this.pump());
  }

  // A lost packet is re-sent at once, unless its link runs FEC: then the parity of its block
  // probably rebuilt it, and the acknowledgement saying so follows the one that reported the
  // loss by at most the rest of the block plus an acknowledgement delay or two.
  private handleLosses(now: number): void {
    while (this.lost.length) {
      const x = this.lost.pop()!;
      x.link.onLoss(wireBytes(INNER + this.host.pool.length[x.slot]!));
      if (x.link.fecK > 0 && x.link.usable) {
        this.graced.push({ ...x, until: now + fecWaitMs(x.link.fecK, x.link.pacingRate()) });
      } else {
        this.send.repair(x.slot, x.link, now);
      }
    }
    for (let i = 0; i < this.graced.length; ) {
      const g = this.graced[i]!;
      if (g.until > now && g.link.usable) {
        i++;
        continue;
      }
      this.graced[i] = this.graced[this.graced.length - 1]!;
      this.graced.pop();
      this.send.repair(g.slot, g.link, now);
    }
    if (this.send.skipsPending) {
      const l = this.controlLink();
      if (l) this.send.control(l, now, (w) => this.send.takeSkips(w));
    }
    this.copyLate(now);
  }

  private readonly lateSlots: number[] = [];

  // Packets stuck on a link whose capacity collapsed are copied to the others before the
  // receiver's reorder buffer gives up on them (the original may still arrive; the first wins).
  private copyLate(now: number): void {
    for (const l of this.links) {
      if (!l || !l.usable) continue;
      if (l.lateness(now) < LATE_COPY_MS) continue;
      const n = l.sent.late(now - l.rtt.min - LATE_COPY_MS, this.lateSlots, 64);
      for (let i = 0; i < n; i++) {
        const c = this.lateSlots[i]!;
        if (!this.send.copy(l.sent.slotOf(c), l, now)) break;
        l.sent.copySlot(c);
      }
    }
  }

  private onAck(e: AckEntry): void {
    const l = this.links[e.link];
    if (!l) return;
    l.onAck(e, this.clock.now());
    for (let i = 0; i < this.graced.length; ) {
      const g = this.graced[i]!;
      if (g.link !== l || !l.sent.covers(e, g.counter)) {
        i++;
        continue;
      }
      this.host.pool.release(g.slot);
      this.graced[i] = this.graced[this.graced.length - 1]!;
      this.graced.pop();
    }
    // the pump runs once per received batch (see received); nothing more to do here
  }

  // A ping is answered at once on its link, and asks for an acknowledgement soon: after an
  // idle spell, that acknowledgement is what reveals a lost tail of data packets.
  private onPing(link: number, id: number): void {
    const l = this.links[link];
    if (!l) return;
    this.send.control(l, this.clock.now(), (w) => w.ping(F_PONG, link, id));
    this.ackSoon();
  }

  // Asked for on most data packets: the first ask arms the timer, the others cost nothing.
  private ackArmed = false;
  private readonly ackTimer = () => this.sendAck();
  private ackSoon(): void {
    if (this.ackArmed) return;
    this.ackArmed = true;
    this.timers.arm('ack', this.clock.now() + ACK_DELAY_MS, this.ackTimer);
  }

  /** The link acknowledgements and skips go out on: the fastest usable, else the last heard. */
  private controlLink(): Link | undefined {
    const now = this.clock.now();
    let best: Link | undefined;
    for (const l of this.links) if (l?.usable && (!best || l.owd(now) < best.owd(now))) best = l;
    if (best) return best;
    for (const l of this.links) if (l && l.ready && (!best || l.lastHeardAt > best.lastHeardAt)) best = l;
    return best;
  }

  private sendAck(): void {
    this.ackArmed = false;
    this.timers.cancel('ack');
    const now = this.clock.now();
    const target = this.controlLink();
    if (!target) return;
    let n = 0;
    for (const l of this.links) {
      if (!l) continue;
      if (n === this.ackEntries.length) this.ackEntries.push({ link: 0, highest: 0, maskHi: 0, maskLo: 0, delayUs: 0, queueUs: 0 });
      if (l.rx.ackEntry(l.id, now, this.ackEntries[n]!)) n++;
    }
    if (n === 0) return;
    this.send.control(target, now, (w) => w.ack(this.ackEntries, n));
    this.receive.acked();
  }

  // ---- receive side

  received(linkId: number, counter: number, slot: number, length: number, from: Buffer, fromAt: number, s: Session, now: number): boolean {
    if (!s.confirmed) this.host.confirm?.(s);
    const l = this.links[linkId] ?? this.addLink(linkId, `link${linkId}`, 'primary');
    if (!l.rx.replay.accept(counter)) {
      this.host.pool.release(slot);
      return false;
    }
    this.host.seen?.(l, from, fromAt, now);
    this.receive.packet(l, counter, slot, length, now);
    return true;
  }

  /** After a received batch: send what acknowledgements made room for, and schedule expiries. */
  afterReceive(): void {
    this.pump();
    this.armReorder();
  }

  private armReorder(): void {
    const next = this.receive.reorder.expire(this.clock.now());
    if (next !== Infinity) this.timers.arm('reorder', next, () => this.expireReorder());
  }

  /** Released packets may need writing: the host flushes after this. */
  expireReorder(): void {
    this.armReorder();
    this.onExpire?.();
  }

  onExpire?: () => void;

  // ---- every TICK_MS

  private tick(): void {
    const now = this.clock.now();
    for (const l of this.links) {
      if (!l) continue;
      const old = l.state;
      const changed = l.checkHealth(now);
      if (changed) {
        this.host.log.info(`${this.name}: link ${l.name} ${old} → ${changed} (${l.reason})`);
        if (changed === 'down' || changed === 'disabled') l.sent.loseAll();
        this.host.linkState(this, l, old);
      }
      if (l.ready && l.enabled && now - l.lastPingAt >= l.pingInterval()) {
        this.send.control(l, now, (w) => w.ping(F_PING, l.id, l.ping(now)));
      }
    }
    this.receive.reorder.holdMs = this.holdTime();
    this.setQueueTarget();
    if (TRACE && now - this.lastTrace >= 500) this.trace(now);
    if (now - this.lastStats >= 1000) {
      for (const l of this.links) l?.tickStats((now - this.lastStats) / 1000);
      this.lastStats = now;
      this.sendRates(now);
    }
    this.pump();
    this.timers.arm('tick', now + TICK_MS, () => this.tick());
  }

  private lastTrace = 0;

  // BOND_TRACE=1: the links' congestion-control state twice a second, for tuning
  private trace(now: number): void {
    this.lastTrace = now;
    const mb = (bytesPerMs: number) => ((bytesPerMs * 8) / 1000).toFixed(1);
    const kb = (b: number) => (b / 1000).toFixed(0);
    const parts = this.links.filter((l): l is Link => !!l).map((l) =>
      `${l.name}:${l.state}/${l.cc.mode} bw=${mb(l.cc.btlBw)} pace=${mb(l.pacingRate())} cwnd=${kb(l.cc.cwnd)}k infl=${kb(l.sent.inflight)}k q=${kb(l.queued)}k rtt=${l.rtt.srtt.toFixed(0)}/${l.rtt.min.toFixed(0)} ping=${l.pingRtt.srtt.toFixed(0)} qd=${l.queueDelay(now).toFixed(1)} tx=${(l.txBps / 1e6).toFixed(1)}`);
    const r = this.receive.reorder.stats;
    this.host.log.info(`trace ${this.name} queue=${this.send.queue.length} target=${this.send.queue.target.toFixed(0)} hold=${this.receive.reorder.holdMs.toFixed(0)} copies=${this.send.copies} repairs=${this.send.repairs} skips=${this.send.skips} timeouts=${r.timeouts} late=${r.releasedLate} ${parts.join(' | ')}`);
  }

  /**
   * CoDel's target and interval. Half the propagation RTT of the slowest usable link (what a
   * bulk flow striped over all links sees), plus twice the links' jitter, within 5–100 ms: a
   * single Cubic flow backs off to 70 % of its window, and a standing queue of ~0.43 of its
   * RTT keeps the links busy through that; on links whose capacity swings (LTE), the queue
   * also has to ride out the swings. Queues are per lane: other flows do not wait behind it.
   */
  private setQueueTarget(): void {
    let rtt = 0, jitter = 0;
    for (const l of this.links) {
      if (!l?.usable) continue;
      rtt = Math.max(rtt, l.pathRtt);
      jitter = Math.max(jitter, l.rx.jitter, l.rtt.rttvar);
    }
    const q = this.send.queue;
    q.target = Math.min(100, Math.max(5, 0.5 * rtt + 2 * jitter));
    q.interval = Math.max(100, 2 * rtt);
  }

  /**
   * How long a hole may hold its lane: the spread of one-way delays over the links that carry
   * traffic, plus their jitter, and at least the time a repair takes (loss noticed, ACK back,
   * re-sent on the fastest link; on a link with FEC, after its block's parity had its chance).
   */
  holdTime(): number {
    const now = this.clock.now();
    let lo = Infinity, hi = -Infinity, jitter = 0, fastRtt = Infinity, fecMs = 0;
    for (const l of this.links) {
      if (!l || !l.usable) continue;
      fastRtt = Math.min(fastRtt, l.srtt || Infinity);
      if (!l.rx.hasOwd || now - l.rx.lastAt > 1000) continue;
      lo = Math.min(lo, l.rx.owd);
      hi = Math.max(hi, l.rx.owd);
      jitter = Math.max(jitter, l.rx.jitter);
      if (l.rxFecK && l.rxBps > 0) fecMs = Math.max(fecMs, fecWaitMs(l.rxFecK, l.rxBps / 8000));
    }
    const spread = hi > lo ? hi - lo : 0;
    const repair = fastRtt === Infinity ? 0 : fastRtt + 2 * ACK_DELAY_MS + fecMs;
    return Math.min(HOLD_MAX_MS, Math.max(HOLD_MIN_MS, spread + 4 * jitter + 2, repair + 2));
  }

  private readonly rateIds: number[] = [];
  private readonly rateKbps: number[] = [];
  private readonly rateLoss: number[] = [];

  // our capacity estimates (for the peer's status: est_capacity of its receiving direction)
  // and the loss we see arriving (for the peer's FEC)
  private sendRates(now: number): void {
    this.rateIds.length = this.rateKbps.length = this.rateLoss.length = 0;
    for (const l of this.links) {
      if (!l || (!l.cc.btlBw && l.rx.packets === 0)) continue;
      this.rateIds.push(l.id);
      this.rateKbps.push(l.cc.btlBw * 8);
      this.rateLoss.push(l.rx.lossPct);
    }
    const target = this.controlLink();
    if (target && this.rateIds.length) this.send.control(target, now, (w) => w.rates(this.rateIds, this.rateKbps, this.rateLoss, this.rateIds.length));
  }

  /** Sends a LINKS frame describing our links (client → server). */
  announce(links: LinkAnnouncement[]): void {
    const l = this.controlLink();
    if (l) this.send.control(l, this.clock.now(), (w) => w.links(links));
    this.out.flush();
  }

  /** Says goodbye on every link (shutdown). */
  goodbye(): void {
    const now = this.clock.now();
    for (const l of this.links) if (l?.ready) this.send.control(l, now, (w) => w.close());
    this.out.flush();
  }

  /** A fresh session: sequence numbers start over on both sides. */
  restart(): void {
    this.send.restart();
    this.receive.restart();
    for (const l of this.links) {
      if (!l) continue;
      l.rx = new LinkReceiver();
      l.sent.loseAll();
    }
    // what was in flight belongs to the old sequence space: drop it, do not repair it
    for (const { slot } of [...this.lost, ...this.graced]) this.host.pool.release(slot);
    this.lost.length = this.graced.length = 0;
  }

  stop(): void {
    this.timers.stop();
    this.send.clear();
    this.receive.reorder.clear();
  }
}
