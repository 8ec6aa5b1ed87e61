// The sending half of a link's bookkeeping: every packet sent on the link, by counter, until it
// is acknowledged or lost. Acknowledgements give delivery-rate samples (the BBR way: bytes
// delivered between a packet's send and its ack, over the longer of the send and ack
// intervals) and RTT samples. A packet is lost when three later packets on the same link were
// acknowledged (a link is nearly FIFO, RFC 9002's threshold), or when any later one was and
// the packet is older than a round trip and a bit (RACK, RFC 8985: an idle link's lost packet
// is followed only by pings); once it is older than the acknowledgement window, when it is
// overdue (acknowledgements travel on whichever link is fastest, so a newer one may overtake
// the one that covered it).
import { ackBit, type AckEntry } from '../wire/control.js';
import type { RateSample } from './bbr.js';

const RING = 1 << 15;
const MASK = RING - 1;
const REORDER_THRESHOLD = 3;
const ACK_WINDOW = 64;

const NONE = 0, INFLIGHT = 1;

export interface AckResult extends RateSample {
  newlyAcked: number; // data packets
  lost: number; // data packets found lost by this acknowledgement
}

export class SentPackets {
  /** Next counter to use. */
  counter = 0;
  /** Bytes of data packets in flight. */
  inflight = 0;
  delivered = 0;
  private deliveredAt = 0;
  private firstSentAt = 0;
  private appLimitedUntil = 0;
  private lowest = 0; // every counter below is settled
  private readonly status = new Uint8Array(RING);
  private readonly sentAt = new Float64Array(RING);
  private readonly size = new Int32Array(RING);
  private readonly slot = new Int32Array(RING);
  private readonly pDelivered = new Float64Array(RING);
  private readonly pDeliveredAt = new Float64Array(RING);
  private readonly pFirstSentAt = new Float64Array(RING);
  private readonly pAppLimited = new Uint8Array(RING);
  private readonly copied = new Uint8Array(RING);

  /** Takes the next counter for a packet; data packets (slot >= 0) are tracked until settled. */
  send(size: number, slot: number, now: number): number {
    const c = this.counter++;
    const i = c & MASK;
    if (slot < 0) {
      this.status[i] = NONE;
      this.advanceLowest();
      return c;
    }
    if (this.status[i] === INFLIGHT) {
      // the ring wrapped over a packet that was never settled: count it lost
      this.inflight -= this.size[i]!;
      this.onForget?.(this.slot[i]!, false, c - RING);
    }
    if (this.inflight === 0) this.firstSentAt = this.deliveredAt = now;
    this.status[i] = INFLIGHT;
    this.sentAt[i] = now;
    this.size[i] = size;
    this.slot[i] = slot;
    this.pDelivered[i] = this.delivered;
    this.pDeliveredAt[i] = this.deliveredAt;
    this.pFirstSentAt[i] = this.firstSentAt;
    this.pAppLimited[i] = this.appLimitedUntil > 0 ? 1 : 0;
    this.copied[i] = 0;
    this.inflight += size;
    return c;
  }

  /** Called whenever a data packet is settled: acknowledged (delivered) or lost. */
  onForget?: (slot: number, delivered: boolean, counter: number) => void;

  /** Marks the link application-limited: samples until what is in flight now is delivered. */
  markAppLimited(): void {
    this.appLimitedUntil = this.delivered + this.inflight + 1;
  }

  /** Full counter from its low 32 bits, the one nearest below our next counter. */
  private widen(low: number): number {
    const base = this.counter - 1;
    const diff = ((base % 0x100000000) - low + 0x100000000) % 0x100000000;
    return base - diff;
  }

  /** Whether an acknowledgement says `counter` arrived (even after we counted it lost). */
  covers(e: AckEntry, counter: number): boolean {
    return ackBit(e.maskHi, e.maskLo, this.widen(e.highest) - counter);
  }

  /**
   * `lossMs`: how long after sending a packet with a later one acknowledged counts as lost;
   * `overdueMs`: the same for a packet older than the window.
   */
  ack(e: AckEntry, now: number, lossMs: number, overdueMs: number, out: AckResult): AckResult {
    out.newlyAcked = out.lost = out.acked = 0;
    out.rate = 0;
    out.rtt = -1;
    out.queue = -1;
    out.appLimited = false;
    const high = this.widen(e.highest);
    out.delivered = out.priorDelivered = this.delivered;
    if (high < 0 || high >= this.counter) return (out.inflight = this.inflight), out;
    let newest = -1;
    const from = Math.max(this.lowest, high - ACK_WINDOW);
    for (let c = from; c <= high; c++) {
      const i = c & MASK;
      if (this.status[i] !== INFLIGHT) continue;
      const d = high - c;
      if (ackBit(e.maskHi, e.maskLo, d)) {
        this.settle(i, true, c);
        this.delivered += this.size[i]!;
        out.acked += this.size[i]!;
        out.newlyAcked++;
        newest = c;
      } else if (d >= REORDER_THRESHOLD || now - this.sentAt[i]! > lossMs) {
        this.settle(i, false, c);
        out.lost++;
      }
    }
    // older than the window: lost once overdue (counters go in send order: the first one in
    // flight that is not overdue ends the search)
    for (let c = this.lowest; c < from; c++) {
      const i = c & MASK;
      if (this.status[i] !== INFLIGHT) continue;
      if (now - this.sentAt[i]! <= overdueMs) break;
      this.settle(i, false, c);
      out.lost++;
    }
    this.advanceLowest();
    out.inflight = this.inflight;
    out.delivered = this.delivered;
    if (newest >= 0) {
      const i = newest & MASK;
      this.deliveredAt = now;
      this.firstSentAt = this.sentAt[i]!;
      const interval = Math.max(now - this.pDeliveredAt[i]!, this.sentAt[i]! - this.pFirstSentAt[i]!);
      out.priorDelivered = this.pDelivered[i]!;
      out.rate = interval > 0 ? (this.delivered - this.pDelivered[i]!) / interval : 0;
      out.appLimited = this.pAppLimited[i] === 1;
      out.rtt = now - this.sentAt[i]! - e.delayUs / 1000;
      out.queue = e.queueUs / 1000;
      if (this.appLimitedUntil > 0 && this.delivered >= this.appLimitedUntil) this.appLimitedUntil = 0;
    }
    return out;
  }

  /** Declares every data packet in flight lost (a dead link); returns how many. */
  loseAll(): number {
    let n = 0;
    for (let c = this.lowest; c < this.counter; c++) {
      const i = c & MASK;
      if (this.status[i] === INFLIGHT) {
        this.settle(i, false, c);
        n++;
      }
    }
    this.advanceLowest();
    return n;
  }

  /**
   * Counters of data packets in flight that were sent before `before` and not copied yet,
   * oldest first, up to `max` (into out).
   */
  late(before: number, out: number[], max: number): number {
    out.length = 0;
    for (let c = this.lowest; c < this.counter && out.length < max; c++) {
      const i = c & MASK;
      if (this.status[i] !== INFLIGHT) continue;
      if (this.sentAt[i]! >= before) break;
      if (!this.copied[i]) out.push(c);
    }
    return out.length;
  }

  slotOf(counter: number): number {
    return this.slot[counter & MASK]!;
  }

  /** Marks a packet in flight as copied to another link (it is not copied twice). */
  copySlot(counter: number): void {
    this.copied[counter & MASK] = 1;
  }

  /** When the oldest data packet still in flight was sent, or Infinity. */
  oldestSentAt(): number {
    for (let c = this.lowest; c < this.counter; c++) if (this.status[c & MASK] === INFLIGHT) return this.sentAt[c & MASK]!;
    return Infinity;
  }

  private settle(i: number, delivered: boolean, counter: number): void {
    this.status[i] = NONE;
    this.inflight -= this.size[i]!;
    this.onForget?.(this.slot[i]!, delivered, counter);
  }

  private advanceLowest(): void {
    while (this.lowest < this.counter && this.status[this.lowest & MASK] !== INFLIGHT) this.lowest++;
  }
}
