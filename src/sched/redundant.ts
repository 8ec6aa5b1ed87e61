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
    let a: Link | undefined, b: Link | undefined, aOwd = Infinity, bOwd = Infinity;
    for (let k = 0; k < 2; k++) {
      for (const l of t[k]!) {
        const owd = l.owd(now);
        if (owd < aOwd) (b = a), (bOwd = aOwd), (a = l), (aOwd = owd);
        else if (owd < bOwd) (b = l), (bOwd = owd);
      }
    }
    // a copy on each of the two that has room; a full one does not hold the other back
    let n = 0;
    if (a && (p.urgent || a.accepts(p.size, now))) out[n++] = a;
    if (b && b.accepts(p.size, now)) out[n++] = b;
    return n;
  }
}
