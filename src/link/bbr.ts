// Congestion control of one link, BBR-like (Cardwell et al. 2016): the link's bottleneck rate
// is the highest delivery rate of the last rounds, its propagation delay the lowest RTT; pace
// at the rate, keep about two bandwidth-delay products in flight. Startup doubles until the
// rate stops growing; then the sending rate cycles 1.25 / 0.75 / 1 … so that a link whose
// capacity grows is noticed. Unlike plain BBR it also backs off on delay: when even the best
// RTT of a round sits well above the minimum, a queue is standing in the ISP's network, so
// the rate estimate drops to what was actually delivered (LTE capacity falls within seconds).
// The queue is measured one way (the receiver reports each packet's delay above the link's
// minimum), so congestion on the way back does not count.
// Units: bytes and milliseconds (rates in bytes/ms; 1 Mbit/s = 125 bytes/ms).
import { WindowedFilter } from './minmax.js';

const MSS = 1500;
const INITIAL_CWND = 16 * MSS;
const STARTUP_GAIN = 2.885;
const STARTUP_CWND_GAIN = 4;
const CYCLE = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
const BW_WINDOW_ROUNDS = 10;
const ACK_ALLOWANCE_MS = 4; // acknowledgements come in bunches every few ms

export type BbrMode = 'startup' | 'drain' | 'probe_bw';

export interface RateSample {
  delivered: number; // the link's delivered bytes, now
  priorDelivered: number; // delivered bytes when the newest acknowledged packet was sent
  rate: number; // bytes/ms, or 0 when no sample
  appLimited: boolean;
  rtt: number; // ms of the newest acknowledged packet, or -1
  queue: number; // ms the newest acknowledged packet waited in the network (one way), or -1
  acked: number; // bytes newly acknowledged
  inflight: number; // bytes still in flight after this acknowledgement
}

export class Bbr {
  mode: BbrMode = 'startup';
  cwnd = INITIAL_CWND;
  pacingGain = STARTUP_GAIN;
  private readonly bw = WindowedFilter.max(BW_WINDOW_ROUNDS);
  private round = 0;
  private nextRoundDelivered = 0;
  private fullBw = 0;
  private fullBwRounds = 0;
  private filledPipe = false;
  private cycle = 0;
  private cycleStart = 0;
  // what this round has seen, for the delay and loss signals
  private roundMinQueue = Infinity;
  private roundLost = 0;
  private roundAcked = 0;
  private roundStartDelivered = 0;
  private roundStartTime = 0;
  private roundAppLimited = false; // the last sample of the round
  private roundAnyAppLimited = false;
  /** The last full round had demand (no application-limited sample) and no queue. */
  private roundHungry = false;
  private bwBeforeProbe = 0;
  /** Ceiling from the configuration (max_up / max_down), bytes/ms. */
  ceiling = Infinity;
  /** Smoothed one-way queueing delay reported by the receiver, ms. */
  private queue = 0;

  constructor(private minRtt: () => number) {}

  /** Bottleneck rate estimate, bytes/ms (0 before the first sample). */
  get btlBw(): number {
    return Math.min(this.bw.value, this.ceiling);
  }

  private startupRate = 0;

  pacingRate(srtt: number): number {
    const bw = this.btlBw;
    let rate = Math.max(this.pacingGain * bw, (STARTUP_GAIN * INITIAL_CWND) / Math.max(1, srtt || 100));
    // while starting up, pacing never slows down (as Linux BBR): early samples are small
    // because the traffic itself is only starting, not because the link is slow
    if (this.mode === 'startup') rate = this.startupRate = Math.max(rate, this.startupRate);
    else if (bw > 0) rate = this.pacingGain * bw * this.queueFactor();
    return Math.min(rate, this.ceiling);
  }

  /**
   * Below 1 while the receiver reports a queue of more than twice the limit: sending slows at once, in
   * proportion, instead of waiting for the end of a round (a link whose capacity halves within
   * 50 ms would otherwise pile up a round's worth of excess in the ISP's queue).
   */
  queueFactor(): number {
    const limit = 2 * this.queueLimit();
    return this.queue > limit ? Math.max(0.5, limit / this.queue) : 1;
  }

  /** The congestion window in force, bytes. */
  window(): number {
    return this.mode === 'startup' ? this.cwnd : Math.max(4 * MSS, this.cwnd * this.queueFactor());
  }

  bdp(): number {
    return this.btlBw * Math.max(1, this.minRtt());
  }

  onAck(s: RateSample, now: number): void {
    this.roundAcked += s.acked;
    this.roundAppLimited = s.appLimited;
    if (s.appLimited) this.roundAnyAppLimited = true;
    if (s.queue >= 0) {
      this.roundMinQueue = Math.min(this.roundMinQueue, s.queue);
      this.queue += 0.3 * (s.queue - this.queue);
    }
    // startup overshoots on purpose, but a queue this deep means the link is full already, even
    // when the tunnel only feeds it now and then (so no round sees only queued packets)
    if (!this.filledPipe && s.queue > 3 * this.queueLimit()) this.fill(`queue ${s.queue.toFixed(1)} ms`);
    let roundStart = false;
    if (s.priorDelivered >= this.nextRoundDelivered) {
      this.nextRoundDelivered = s.delivered;
      this.round++;
      roundStart = true;
    }
    if (s.rate > 0 && (!s.appLimited || s.rate > this.bw.value)) this.bw.update(s.rate, this.round);
    if (roundStart) {
      this.endOfRound(s, now);
      this.roundStartDelivered = s.delivered;
      this.roundStartTime = now;
    }
    this.updateMode(s, now);
    this.updateCwnd(s);
  }

  onLoss(bytes: number): void {
    this.roundLost += bytes;
  }

  /** After a link was out of use: start over gently, as on a new link. */
  restart(): void {
    this.mode = 'startup';
    this.pacingGain = STARTUP_GAIN;
    this.cwnd = INITIAL_CWND;
    this.bw.clear();
    this.fullBw = this.fullBwRounds = this.startupRate = 0;
    this.filledPipe = false;
  }

  /** Queueing delay that counts as a standing queue: a quarter of the RTT, within 4–15 ms. */
  queueLimit(): number {
    return Math.min(15, Math.max(4, 0.25 * this.minRtt()));
  }

  private endOfRound(s: RateSample, now: number): void {
    // delay signal: even the best moment of the round waited in a queue in the ISP's network.
    // The link was busy all round, so what it delivered over the round is its capacity
    // (application-limited or not); the estimate, a maximum of noisy samples, sits above it,
    // and the queue would only grow. Drop to the round's average and drain.
    if (this.roundMinQueue < Infinity && this.roundMinQueue > this.queueLimit()) {
      const avg = now > this.roundStartTime ? (s.delivered - this.roundStartDelivered) / (now - this.roundStartTime) : 0;
      if (!this.filledPipe) this.fill(`queue ${this.roundMinQueue.toFixed(1)} ms`);
      else if (avg > 0 && avg < this.bw.value) {
        this.bw.reset(Math.max(avg, 0.7 * this.bw.value), this.round);
        if (this.mode === 'probe_bw') this.enterPhase(1, now); // the 0.75 phase
      }
    }
    // heavy loss: the link is overloaded or failing (random loss of a few % is repaired, not fought)
    if (this.roundAcked + this.roundLost > 0 && this.roundLost / (this.roundAcked + this.roundLost) > 0.2) {
      this.bw.reset(0.8 * this.bw.value, this.round);
    }
    // a round that could not fill the link says nothing about whether the link is full
    if (!this.filledPipe && !this.roundAppLimited) {
      if (this.bw.value >= this.fullBw * 1.25) {
        this.fullBw = this.bw.value;
        this.fullBwRounds = 0;
      } else if (++this.fullBwRounds >= 3) {
        this.fill(`rate stopped growing at ${((this.bw.value * 8) / 1000).toFixed(1)} Mbit/s`);
      }
    }
    this.roundHungry = !this.roundAnyAppLimited && this.roundMinQueue < 1;
    this.roundAnyAppLimited = false;
    this.roundMinQueue = Infinity;
    this.roundLost = this.roundAcked = 0;
  }

  /** Told why startup ended (for tracing). */
  onFilled?: (why: string) => void;

  private fill(why: string): void {
    this.filledPipe = true;
    this.onFilled?.(why);
  }

  private updateMode(s: RateSample, now: number): void {
    if (this.mode === 'startup' && this.filledPipe) {
      this.mode = 'drain';
      this.pacingGain = 1 / STARTUP_GAIN;
    }
    if (this.mode === 'drain' && s.inflight <= this.bdp()) {
      this.mode = 'probe_bw';
      this.enterPhase(2, now);
    }
    if (this.mode === 'probe_bw') {
      const elapsed = now - this.cycleStart > Math.max(1, this.minRtt());
      const gain = CYCLE[this.cycle]!;
      // the phases watch the queue in the ISP's network directly: probing up stops once it
      // builds one, draining stops as soon as it is gone (so a link with no queue does not
      // give up a quarter of its rate for a round)
      const queued = s.queue >= 0 && s.queue > this.queueLimit();
      const drained = s.queue >= 0 && s.queue < 1;
      const advance = gain > 1 ? (elapsed && (queued || s.inflight >= gain * this.bdp() * 0.9)) || now - this.cycleStart > 2 * Math.max(1, this.minRtt())
        : gain < 1 ? elapsed || drained || s.inflight <= this.bdp()
        : elapsed;
      if (advance) {
        // A probe that found more capacity (judged after its drain phase, when its samples
        // are in) probes again; so does a link that had demand all round and no queue: a link
        // whose capacity grew several-fold (LTE) is followed within a few rounds, not cycles.
        const found = gain < 1 && this.bw.value > this.bwBeforeProbe * 1.1;
        const hungry = gain === 1 && this.roundHungry;
        this.enterPhase(found || hungry ? 0 : (this.cycle + 1) % CYCLE.length, now);
      }
    }
  }

  private enterPhase(cycle: number, now: number): void {
    this.cycle = cycle;
    this.cycleStart = now;
    this.pacingGain = CYCLE[cycle]!;
    if (this.pacingGain > 1) this.bwBeforeProbe = this.bw.value;
  }

  private updateCwnd(s: RateSample): void {
    // While starting, the TCP flows inside double their windows every round, and our estimate
    // of the rate lags them by a round: a window of 2 × BDP, or one that grows by what was
    // acknowledged, would be just what they send, and their next burst would queue here, where
    // their slow start (HyStart) takes the delay for a full pipe and ends at a fraction of the
    // link. Growing by twice the acknowledged bytes up to 4 × BDP stays ahead of them; pacing
    // at 2.885 × the rate is what bounds startup. After startup 1.5 ×: pacing sets the rate,
    // the window only bounds what a wrong estimate can pile up in the ISP's queue.
    const gain = this.filledPipe ? 1.5 : STARTUP_CWND_GAIN;
    const target = gain * this.bdp() + this.btlBw * ACK_ALLOWANCE_MS + 3 * MSS;
    if (this.filledPipe) this.cwnd = Math.min(this.cwnd + s.acked, target);
    else if (this.cwnd < target || s.delivered < INITIAL_CWND) this.cwnd += 2 * s.acked;
    this.cwnd = Math.max(this.cwnd, 4 * MSS);
  }
}
