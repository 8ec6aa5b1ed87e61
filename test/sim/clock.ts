// Simulated time: callbacks run in time order (ties in the order they were set), and time
// only moves when run() takes the next one. Deterministic: a simulation gives the same
// numbers on every run and on any machine.
import type { Clock } from '../../src/device/clock.js';

interface Event { at: number; seq: number; run: () => void; cancelled: boolean }

export class SimClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly heap: Event[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, run: () => void): Event {
    return this.at(this.t + Math.max(0, ms), run);
  }

  at(at: number, run: () => void): Event {
    const e = { at: Math.max(at, this.t), seq: this.seq++, run, cancelled: false };
    this.push(e);
    return e;
  }

  cancel(handle: unknown): void {
    (handle as Event).cancelled = true;
  }

  /** Runs events until `until` (ms). */
  run(until: number): void {
    while (this.heap.length && this.heap[0]!.at <= until) {
      const e = this.pop();
      if (e.cancelled) continue;
      this.t = e.at;
      e.run();
    }
    this.t = until;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
