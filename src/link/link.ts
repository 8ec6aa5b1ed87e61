// One WAN link as both ends see it: identity and role, the sending half (packets in flight,
// RTT, congestion control, pacing) and the receiving half (what arrived, one-way delay), its
// health, and the numbers the status shows.
//
// Health: a link is `up` while acknowledgements or pongs come back. When nothing has come back
// for DOWN_AFTER (or its system interface went away) it goes `down` at once: the scheduler
// stops using it and its packets in flight are declared lost (and re-sent elsewhere). Pings
// continue; fresh pongs make it `probing`, with congestion control restarted from a small
// window, and after PROBE_PONGS answered pings in a row it is `up` again.
import { Bbr } from './bbr.js';
import { RttEstimator } from './rtt.js';
import { SentPackets, type AckResult } from './sent.js';
import { LinkReceiver } from './receiver.js';
import { Parity, blockSize } from './fec.js';
import type { AckEntry } from '../wire/control.js';

export type LinkState = 'up' | 'down' | 'probing' | 'degraded' | 'disabled';
export type LinkRole = 'primary' | 'secondary' | 'backup';

export const PING_INTERVAL_UP = 100;
const PACE_AHEAD_MS = 4;
const STALL_MIN_MS = 15;
export const PING_INTERVAL_DOWN = 250;
const DOWN_AFTER_MIN = 350;
const PROBE_PONGS = 3;

export class Link {
  state: LinkState = 'probing';
  /** Why the state last changed, for events and logs. */
  reason = 'new';
  enabled = true;
  /** The system side is ready (address, route, endpoint known). */
  ready = true;
  readonly sent = new SentPackets();
  readonly rtt = new RttEstimator(); // data acknowledgements
  readonly pingRtt = new RttEstimator(); // this link's own round trip
  readonly cc = new Bbr(() => this.minRtt);
  rx = new LinkReceiver();
  private readonly ackResult: AckResult = { delivered: 0, priorDelivered: 0, rate: 0, appLimited: false, rtt: -1, queue: -1, acked: 0, inflight: 0, newlyAcked: 0, lost: 0 };
  private lastAckedAt = 0;
  /** Delivery rate of the last round trip, bytes/ms (lightly smoothed rate samples). */
  recentRate = 0;
  private recentAppLimited = true;
  /** Smoothed queueing delay in the network toward the peer, ms (from the peer's ACKs). */
  private queueMs = 0;
  private queueAt = 0;
  // pacing
  nextSendAt = 0;
  /** Bytes assigned to this link and waiting for their pacing slot. */
  queued = 0;
  // health
  lastHeardAt: number;
  private pongsInRow = 0;
  pingId = 0;
  lastPingAt = -Infinity;
  private readonly pingSentAt = new Map<number, number>();
  // counters for the status
  txBytes = 0;
  lostPackets = 0;
  repairs = 0;
  txBps = 0;
  rxBps = 0;
  /** The peer's estimate of what this link carries toward us, bit/s (from its RATES frames). */
  peerCapacityBps = 0;
  /** FEC: data packets per parity packet on what we send (0 = off), and the block being built. */
  fecK = 0;
  readonly txParity = new Parity();
  /** FEC on what we receive: the block being collected, and the peer's block size. */
  readonly rxParity = new Parity();
  rxFecK = 0;
  fecRecovered = 0;
  private lastTxBytes = 0;
  private lastRxBytes = 0;
  private lossWindow = { sent: 0, lost: 0, lossPct: 0 };

  constructor(readonly id: number, public name: string, public role: LinkRole, now: number) {
    this.lastHeardAt = now;
  }

  get usable(): boolean {
    return this.enabled && this.ready && (this.state === 'up' || this.state === 'degraded' || this.state === 'probing');
  }

  /**
   * One-way delay estimate for the scheduler, ms: half the best RTT we know (the propagation
   * delay) plus what packets wait in the network now.
   */
  owd(now: number): number {
    return this.pathRtt / 2 + Math.max(this.queueDelay(now), this.lateness(now));
  }

  /**
   * The round trip the scheduler compares links by, ms: pings first, since they are measured
   * the same way on every link whether it carries data or not (with the best data samples
   * instead, the LTE traces in the simulator carry 26.4 Mbit/s rather than 27.2); 50 before any.
   */
  get pathRtt(): number {
    return this.pingRtt.hasSample ? this.pingRtt.min : this.rtt.hasSample ? this.rtt.min : 50;
  }

  /** The propagation RTT of this link's data, ms (pings until data was acknowledged; 0 before). */
  get minRtt(): number {
    return this.rtt.min || this.pingRtt.min;
  }

  /**
   * How far the oldest packet in flight is overdue, ms: when a link's capacity collapses (an
   * LTE fade) its acknowledgements stop before any measurement says so, and everything sent
   * after waits behind that packet.
   */
  lateness(now: number): number {
    if (this.sent.inflight === 0 || !this.rtt.hasSample) return 0;
    // acknowledgements come every few packets; at the link's rate that is this often
    const allowance = Math.max(STALL_MIN_MS, (4 * 8 * 1500) / Math.max(1, this.cc.btlBw));
    const expected = Math.max(this.lastAckedAt, this.sent.oldestSentAt() + this.rtt.min);
    return Math.max(0, now - expected - allowance);
  }

  /**
   * The network's queue toward the peer as of now: the last measurement, minus the time since
   * (a queue drains in real time). Without the decay, a link that was avoided because of one
   * bad measurement would never be measured again.
   */
  queueDelay(now: number): number {
    const measured = Math.max(0, this.queueMs - (now - this.queueAt));
    // While the link is busy, what is in flight drains at the rate it delivers now; beyond
    // one propagation delay's worth, it waits in a queue. This sees a fade at once, where the
    // measured queue lags by a round trip. A link we did not keep busy has no queue of ours.
    if (this.recentAppLimited || this.recentRate <= 0) return this.sent.inflight > 0 ? measured : 0;
    return Math.max(0, this.sent.inflight / this.recentRate - this.minRtt);
  }

  get srtt(): number {
    return this.pingRtt.srtt || this.rtt.srtt;
  }

  get lossPct(): number {
    return this.lossWindow.lossPct;
  }

  /** Pacing: bytes/ms this link may send at now. */
  pacingRate(): number {
    return this.cc.pacingRate(this.srtt);
  }

  /** Room in the congestion window, bytes (negative when over). */
  room(): number {
    return this.cc.window() - this.sent.inflight - this.queued;
  }

  /**
   * Whether the link takes a packet now: room in its window, and no more than PACE_AHEAD_MS of
   * packets waiting for their pacing slots. What no link takes waits in the tunnel's queue,
   * where CoDel sees it; a deep queue per link would hide the congestion from TCP. A link
   * whose acknowledgements stopped (see lateness) takes nothing new until they resume.
   */
  accepts(size: number, now: number): boolean {
    return this.room() >= size && this.queued + size <= Math.max(2 * 1500, this.pacingRate() * PACE_AHEAD_MS) && this.lateness(now) === 0;
  }

  onAck(e: AckEntry, now: number): AckResult {
    const rtt = this.rtt.srtt || this.pingRtt.srtt;
    const r = this.sent.ack(e, now, rtt ? rtt + (this.rtt.min || rtt) / 4 + 2 : Infinity, this.rtt.rto(100) + 20, this.ackResult);
    if (r.newlyAcked > 0) {
      this.heard(now);
      this.lastAckedAt = now;
      if (r.rtt >= 0) this.rtt.update(r.rtt, now);
      if (r.rate > 0) {
        this.recentRate = this.recentRate ? 0.5 * this.recentRate + 0.5 * r.rate : r.rate;
        this.recentAppLimited = r.appLimited;
      }
      if (r.queue >= 0) {
        this.queueMs = this.queueDelay(now) + 0.25 * (r.queue - this.queueDelay(now));
        this.queueAt = now;
      }
      this.cc.onAck(r, now);
    }
    if (r.lost > 0) {
      this.lostPackets += r.lost;
      this.lossWindow.lost += r.lost;
    }
    return r;
  }

  onLoss(bytes: number): void {
    this.cc.onLoss(bytes);
  }

  ping(now: number): number {
    const id = ++this.pingId >>> 0;
    this.pingSentAt.set(id, now);
    this.lastPingAt = now;
    if (this.pingSentAt.size > 64) this.pingSentAt.delete(this.pingSentAt.keys().next().value!);
    return id;
  }

  onPong(id: number, now: number): void {
    const at = this.pingSentAt.get(id);
    if (at === undefined) return;
    this.pingSentAt.delete(id);
    this.pingRtt.update(now - at, now);
    this.heard(now);
    this.pongsInRow++;
  }

  private heard(now: number): void {
    this.lastHeardAt = now;
  }

  pingInterval(): number {
    return this.state === 'down' ? PING_INTERVAL_DOWN : PING_INTERVAL_UP;
  }

  /** How long silence may last before the link counts as down. */
  downAfter(): number {
    return Math.max(DOWN_AFTER_MIN, 3 * this.srtt + 2 * PING_INTERVAL_UP);
  }

  /**
   * Re-evaluates health; returns the new state when it changed. `onDown` is told to re-send
   * what was in flight.
   */
  checkHealth(now: number): LinkState | null {
    const before = this.state;
    if (!this.enabled) this.setState('disabled', 'disabled by configuration');
    else if (!this.ready) this.setState('down', 'no address or route');
    else if (this.state === 'disabled') this.setState('probing', 'enabled');
    else if (this.state !== 'down' && now - this.lastHeardAt > this.downAfter()) {
      this.setState('down', `nothing heard for ${Math.round(now - this.lastHeardAt)} ms`);
    } else if (this.state === 'down' && this.pongsInRow > 0 && now - this.lastHeardAt < this.downAfter()) {
      this.setState('probing', 'answers again');
    } else if (this.state === 'probing' && this.pongsInRow >= PROBE_PONGS) {
      this.setState('up', 'stable');
    } else if (this.state === 'up' && this.lossPct > 10) {
      this.setState('degraded', `${this.lossPct.toFixed(0)} % loss`);
    } else if (this.state === 'degraded' && this.lossPct < 5) {
      this.setState('up', 'loss went down');
    }
    if (this.state === 'down' && before !== 'down') this.pongsInRow = 0;
    if (this.state === 'probing' && before === 'down') this.cc.restart();
    return this.state !== before ? this.state : null;
  }

  private setState(s: LinkState, reason: string): void {
    if (s === this.state) return;
    this.state = s;
    this.reason = reason;
    if (s === 'down' || s === 'disabled') this.pongsInRow = 0;
  }

  countSent(bytes: number, data: boolean): void {
    this.txBytes += bytes;
    if (data) this.lossWindow.sent++;
  }

  onPeerRates(kbps: number, lossPct: number): void {
    this.peerCapacityBps = kbps * 1000;
    this.fecK = blockSize(lossPct);
  }

  /** Once a second: rates and the loss percentage of the last few seconds. */
  tickStats(seconds: number): void {
    this.rx.tickLoss();
    this.txBps = ((this.txBytes - this.lastTxBytes) * 8) / seconds;
    this.rxBps = ((this.rx.bytes - this.lastRxBytes) * 8) / seconds;
    this.lastTxBytes = this.txBytes;
    this.lastRxBytes = this.rx.bytes;
    const w = this.lossWindow;
    if (w.sent >= 50 || w.lost > 0) {
      w.lossPct = 0.5 * w.lossPct + 0.5 * (100 * w.lost) / Math.max(1, w.sent + w.lost);
      w.sent = w.lost = 0;
    }
  }
}
