// One direction of an emulated link, as a pure model driven by the caller's clock (ms):
//   arrival → down? → random loss → drop-tail queue → rate (fixed, or a Mahimahi trace) → delay → due
// The lab's emulator feeds it real packets; unit tests and scheduler simulations feed it
// simulated ones. Payloads are opaque to it.

export interface ShaperSettings {
  rateMbps: number; // fixed rate; ignored when `trace` is set
  trace?: Trace; // delivery opportunities of 1500 bytes (Mahimahi format), looping
  delayMs: number; // one-way propagation delay
  lossPct: number; // random loss, before the queue
  queueBytes: number; // drop-tail limit of the bottleneck queue
  duplicatePct?: number; // random duplicates (each copy delivered again right after): replays
}

export interface Trace {
  opportunities: Float64Array; // ms from the start of the trace, sorted; one 1500-byte slot each
  periodMs: number; // the trace loops after this long
}

export interface ShaperStats {
  duplicated: number;
  packets: number;
  bytes: number;
  delivered: number;
  dropLoss: number;
  dropQueue: number;
  dropDown: number;
}

interface Queued<T> {
  payload: T;
  size: number;
  left: number; // bytes still to be served (trace mode)
}

const OPPORTUNITY_BYTES = 1500;

/** A seeded PRNG (mulberry32), so that a scenario's losses are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseTrace(text: string): Trace {
  const values = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map(Number);
  if (values.length === 0 || values.some((v, i) => !Number.isFinite(v) || v < 0 || (i > 0 && v < values[i - 1]!)))
    throw new Error('a trace is a list of non-decreasing millisecond timestamps, one per line');
  return { opportunities: Float64Array.from(values), periodMs: Math.max(1, values[values.length - 1]!) };
}

/** Average rate of a trace in Mbit/s. */
export function traceMbps(t: Trace): number {
  return (t.opportunities.length * OPPORTUNITY_BYTES * 8) / (t.periodMs * 1000);
}

/** The bottleneck queue a link gets unless it says otherwise: 100 ms at its rate, at least 64 KiB. */
export function defaultQueueBytes(rateMbps: number): number {
  return Math.max(64 * 1024, Math.round(((rateMbps * 1e6) / 8000) * 100));
}

export class Shaper<T> {
  readonly stats: ShaperStats = { packets: 0, bytes: 0, delivered: 0, dropLoss: 0, dropQueue: 0, dropDown: 0, duplicated: 0 };
  private down = false;
  private readonly random: () => number;
  // fixed rate: packets go straight to the delay line with their departure time computed
  private lastDeparture = 0;
  // trace: packets wait in `queue` until opportunities serve them
  private readonly queue: Queued<T>[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private nextOpportunity = 0; // index into the unrolled trace: loop * length + i
  private readonly delayLine: { payload: T; at: number }[] = [];
  private delayHead = 0;

  constructor(public settings: ShaperSettings, seed: number, private readonly startMs = 0) {
    this.random = prng(seed);
  }

  setDown(down: boolean): void {
    this.down = down;
    if (!down) return;
    // a cut link loses what was on the wire and in the modem's queue too
    this.stats.dropDown += this.queue.length - this.queueHead + this.delayLine.length - this.delayHead;
    this.queue.length = this.queueHead = this.queuedBytes = 0;
    this.delayLine.length = this.delayHead = 0;
  }

  /** Offers a packet at time `now`; false when it was dropped. */
  enqueue(payload: T, size: number, now: number): boolean {
    const s = this.stats;
    s.packets++;
    s.bytes += size;
    if (this.down) return s.dropDown++, false;
    if (this.settings.lossPct > 0 && this.random() * 100 < this.settings.lossPct) return s.dropLoss++, false;
    const { trace, rateMbps, delayMs, queueBytes } = this.settings;
    if (trace) {
      this.serve(now);
      if (this.queuedBytes + size > queueBytes) return s.dropQueue++, false;
      if (this.queue.length === this.queueHead) this.skipOpportunitiesBefore(now);
      this.queue.push({ payload, size, left: size });
      this.queuedBytes += size;
      return true;
    }
    const bytesPerMs = (rateMbps * 1e6) / 8 / 1000;
    const start = Math.max(now, this.lastDeparture);
    if ((start - now) * bytesPerMs + size > queueBytes) return s.dropQueue++, false;
    this.lastDeparture = start + size / bytesPerMs;
    this.delayLine.push({ payload, at: this.lastDeparture + delayMs });
    return true;
  }

  /** Removes and returns the packets due at `now`, in order (a duplicated one twice in a row). */
  due(now: number, out: T[] = []): T[] {
    if (this.settings.trace) this.serve(now);
    const line = this.delayLine;
    const dup = this.settings.duplicatePct ?? 0;
    while (this.delayHead < line.length && line[this.delayHead]!.at <= now) {
      const p = line[this.delayHead]!.payload;
      out.push(p);
      if (dup > 0 && this.random() * 100 < dup) {
        out.push(p);
        this.stats.duplicated++;
      }
      this.delayHead++;
      this.stats.delivered++;
    }
    if (this.delayHead > 1024 && this.delayHead * 2 > line.length) {
      line.splice(0, this.delayHead);
      this.delayHead = 0;
    }
    return out;
  }

  /** When the next packet becomes due, or Infinity. */
  nextDue(): number {
    let t = this.delayHead < this.delayLine.length ? this.delayLine[this.delayHead]!.at : Infinity;
    if (this.settings.trace && this.queueHead < this.queue.length) {
      t = Math.min(t, this.opportunityTime(this.nextOpportunity) + this.settings.delayMs);
    }
    return t;
  }

  /** Bytes waiting for the bottleneck at `now` (the emulated modem's queue). */
  backlogBytes(now: number): number {
    if (this.settings.trace) return this.queuedBytes;
    const bytesPerMs = (this.settings.rateMbps * 1e6) / 8 / 1000;
    return Math.max(0, (this.lastDeparture - now) * bytesPerMs);
  }

  private opportunityTime(k: number): number {
    const t = this.settings.trace!;
    const n = t.opportunities.length;
    return this.startMs + Math.floor(k / n) * t.periodMs + t.opportunities[k % n]!;
  }

  // Opportunities that pass while the queue is empty are lost, as on a real radio link.
  private skipOpportunitiesBefore(now: number): void {
    const t = this.settings.trace!;
    const n = t.opportunities.length;
    if (this.opportunityTime(this.nextOpportunity) >= now) return;
    const loop = Math.floor((now - this.startMs) / t.periodMs);
    const within = now - this.startMs - loop * t.periodMs;
    let lo = 0, hi = n; // first opportunity >= within
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.opportunities[mid]! < within) lo = mid + 1;
      else hi = mid;
    }
    this.nextOpportunity = Math.max(this.nextOpportunity, loop * n + lo);
  }

  private serve(now: number): void {
    const { delayMs } = this.settings;
    while (this.queueHead < this.queue.length) {
      const at = this.opportunityTime(this.nextOpportunity);
      if (at > now) return;
      this.nextOpportunity++;
      let budget = OPPORTUNITY_BYTES;
      while (budget > 0 && this.queueHead < this.queue.length) {
        const head = this.queue[this.queueHead]!;
        const take = Math.min(budget, head.left);
        head.left -= take;
        budget -= take;
        if (head.left > 0) break;
        this.queuedBytes -= head.size;
        this.delayLine.push({ payload: head.payload, at: at + delayMs });
        this.queueHead++;
      }
    }
    if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }
}
