// `roundrobin`: links take turns, packet by packet, skipping links without room. Simple and
// predictable; it aggregates well only when the links are alike (see adaptive for the rest).
import type { Link } from '../link/link.js';
import { tiers, newTiers, pickUrgent, type Packet, type Scheduler } from './scheduler.js';

export class RoundRobin implements Scheduler {
  readonly name = 'roundrobin';
  private readonly t = newTiers();
  private turn = 0;

  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number {
    const t = tiers(links, this.t);
    if (p.urgent) return pickUrgent(t, now, out);
    for (let j = 0; j < 2; j++) {
      const tier = t[j]!;
      for (let k = 0; k < tier.length; k++) {
        const l = tier[(this.turn + k) % tier.length]!;
        if (l.accepts(p.size, now)) {
          this.turn = (this.turn + k + 1) % tier.length;
          out[0] = l;
          return 1;
        }
      }
    }
    return 0;
  }
}
