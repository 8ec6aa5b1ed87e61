// The receiving half of a link: which counters arrived (for the acknowledgements the peer's
// sender needs) and the one-way delay as seen here. One-way delays carry an unknown clock
// offset, the same on every link, so differences between links are exact: the reorder buffer's
// hold time comes from them.
import { ReplayWindow } from '../wire/replay.js';
import { WindowedFilter } from './minmax.js';
import { ackBit, type AckEntry } from '../wire/control.js';

export class LinkReceiver {
  readonly replay = new ReplayWindow();
  private highest = -1;
  private maskHi = 0;
  private maskLo = 0;
  private highestAt = 0;
  private highestQueue = 0; // ms the newest packet spent above the minimum one-way delay
  /** A counter was skipped: the sender should hear about it at once. */
  gap = false;
  lastAt = -Infinity;
  packets = 0;
  bytes = 0;
  private readonly owdMin = WindowedFilter.min(10_000);
  /** Smoothed one-way delay above its minimum (queueing and jitter), ms. */
  jitter = 0;
  /** Share of packets that did not arrive, percent, smoothed over seconds. */
  lossPct = 0;
  private lossFrom = -1;
  private lossPackets = 0;

  /** Records an authenticated packet. `sentAtUs` is the sender's clock (µs, wrapping). */
  receive(counter: number, size: number, sentAtUs: number, now: number): void {
    this.packets++;
    this.bytes += size;
    this.lastAt = now;
    // one-way delay with the unknown offset folded into a 32-bit wrap
    const owd = ((((now * 1000) >>> 0) - sentAtUs) | 0) / 1000;
    const min = this.owdMin.update(owd, now);
    this.jitter += 0.1 * (owd - min - this.jitter);
    if (counter > this.highest) {
      if (this.highest >= 0 && counter > this.highest + 1) this.gap = true;
      this.shift(counter - this.highest);
      this.highest = counter;
      this.highestAt = now;
      this.highestQueue = owd - min;
    } else {
      this.markReceived(counter);
    }
  }

  /** Once a second: how many counters went by without their packet. */
  tickLoss(): void {
    if (this.highest < 0) return;
    if (this.lossFrom >= 0) {
      const expected = this.highest - this.lossFrom, got = this.packets - this.lossPackets;
      if (expected >= 20) this.lossPct = 0.5 * this.lossPct + 0.5 * Math.max(0, (100 * (expected - got)) / expected);
      else if (expected > 0) return; // too few packets to say: keep counting
    }
    this.lossFrom = this.highest;
    this.lossPackets = this.packets;
  }

  /**
   * Counters in [from, to) that did not arrive (up to `max` of them, into out); only the last
   * 64 below the highest are known.
   */
  missing(from: number, to: number, out: number[], max: number): number {
    out.length = 0;
    for (let c = Math.max(from, this.highest - 64); c < to && out.length < max; c++) if (!this.has(c)) out.push(c);
    return out.length;
  }

  /** Records a packet rebuilt from parity as arrived, so the peer does not re-send it. */
  markReceived(counter: number): void {
    const d = this.highest - counter;
    if (d <= 0 || d > 64) return;
    if (d <= 32) this.maskLo = (this.maskLo | (1 << (d - 1))) >>> 0;
    else this.maskHi = (this.maskHi | (1 << (d - 33))) >>> 0;
  }

  private has(counter: number): boolean {
    return ackBit(this.maskHi, this.maskLo, this.highest - counter);
  }

  /** Lowest one-way delay of the last 10 s, ms, with the peer's clock offset in it. */
  get owd(): number {
    return this.owdMin.value;
  }

  get hasOwd(): boolean {
    return !this.owdMin.isEmpty;
  }

  /** Fills an acknowledgement entry; returns false when nothing arrived yet. */
  ackEntry(link: number, now: number, e: AckEntry): boolean {
    if (this.highest < 0) return false;
    e.link = link;
    e.highest = this.highest % 0x100000000;
    e.maskHi = this.maskHi >>> 0;
    e.maskLo = this.maskLo >>> 0;
    e.delayUs = Math.max(0, (now - this.highestAt) * 1000);
    e.queueUs = this.highestQueue * 1000;
    this.gap = false;
    return true;
  }

  // mask bit k (0..63) = counter highest-1-k arrived; moving `highest` up by n shifts the old
  // highest in as bit n-1
  private shift(n: number): void {
    if (this.highest < 0 || n > 64) {
      this.maskHi = this.maskLo = 0;
      return;
    }
    let hi = this.maskHi, lo = this.maskLo;
    if (n >= 32) {
      // JS shifts count modulo 32: shifting by 32 or more is spelled out
      hi = n === 32 ? lo : n === 64 ? 0 : lo << (n - 32);
      lo = 0;
    } else {
      hi = (hi << n) | (lo >>> (32 - n));
      lo = lo << n;
    }
    const bit = n - 1; // the previous highest
    if (bit < 32) lo |= 1 << bit;
    else hi |= 1 << (bit - 32);
    this.maskHi = hi >>> 0;
    this.maskLo = lo >>> 0;
  }
}
