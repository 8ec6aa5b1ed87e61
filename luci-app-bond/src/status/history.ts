// The last minutes of throughput, per link and in total, kept in the page from the rates in
// each status reply (the daemon keeps no history). Time is the page's clock in seconds.
import type { Status } from './types.js';

export interface Sample {
  t: number;
  rx: number; // bit/s, server → router (download)
  tx: number; // bit/s, router → server (upload)
}

export type Direction = 'rx' | 'tx';
export const TOTAL = '';

export class History {
  private readonly series = new Map<string, Sample[]>();

  constructor(readonly windowS = 300) {}

  add(t: number, status: Pick<Status, 'links' | 'totals'>): void {
    for (const l of status.links ?? []) this.push(l.name, { t, rx: l.rx_bps, tx: l.tx_bps });
    const totals = status.totals ?? { rx_bps: 0, tx_bps: 0 };
    this.push(TOTAL, { t, rx: totals.rx_bps, tx: totals.tx_bps });
    this.trim(t);
  }

  private push(name: string, s: Sample): void {
    let list = this.series.get(name);
    if (!list) this.series.set(name, (list = []));
    // a reply that arrives late must not bend the line backwards
    if (list.length && list[list.length - 1]!.t >= s.t) list[list.length - 1] = s;
    else list.push(s);
  }

  // Drops samples older than the window, and links that have been gone for a whole window.
  private trim(now: number): void {
    const from = now - this.windowS;
    for (const [name, list] of this.series) {
      let i = 0;
      // keep one sample before the window so that the line reaches its left edge
      while (i + 1 < list.length && list[i + 1]!.t <= from) i++;
      if (i > 0) list.splice(0, i);
      if (list.length && list[list.length - 1]!.t < from) this.series.delete(name);
    }
  }

  get(name: string): readonly Sample[] {
    return this.series.get(name) ?? [];
  }

  /** The time span to draw: what has been seen so far, from one minute up to the window. */
  span(now: number): number {
    const first = this.series.get(TOTAL)?.[0]?.t ?? now;
    return Math.min(this.windowS, Math.max(60, Math.ceil((now - first) / 60) * 60));
  }

  names(): string[] {
    return [...this.series.keys()].filter((n) => n !== TOTAL);
  }

  peak(dir: Direction, names?: string[]): number {
    let m = 0;
    for (const [name, list] of this.series) {
      if (names && !names.includes(name)) continue;
      for (const s of list) m = Math.max(m, s[dir]);
    }
    return m;
  }

  clear(): void {
    this.series.clear();
  }
}
