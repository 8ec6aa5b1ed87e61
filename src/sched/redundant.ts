// `redundant`: every packet on the two usable links with the lowest one-way delay; the
// receiver keeps the first copy. Twice the traffic, and a link can fail without a packet lost:
// for calls and games, not for bulk.
import type { Link } from '../link/link.js';
import { tiers, newTiers, type Packet, type Scheduler } from './scheduler.js';

export class Redundant implements Scheduler {
  readonly name = 'redundant';
  private readonly t = newTiers();

  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number {
    const t = tiers(links, this.t);
    let a: Link | undefined, b: Link | undefined;
    for (const tier of [t[0]!, t[1]!]) {
      for (const l of tier) {
        if (!a || l.owd(now) < a.owd(now)) (b = a), (a = l);
        else if (!b || l.owd(now) < b.owd(now)) b = l;
      }
    }
    // a copy on each of the two that has room; a full one does not hold the other back
    let n = 0;
    if (a && (p.urgent || a.accepts(p.size, now))) out[n++] = a;
    if (b && b.accepts(p.size, now)) out[n++] = b;
    return n;
  }
}
