// `failover`: one link at a time, the first usable one in role order (primary, secondary,
// backup) and then configuration order; the next takes over when it goes down.
import type { Link } from '../link/link.js';
import { tiers, newTiers, type Packet, type Scheduler } from './scheduler.js';

export class Failover implements Scheduler {
  readonly name = 'failover';
  private readonly t = newTiers();

  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number {
    const t = tiers(links, this.t);
    const l = t[0]![0] ?? t[1]![0];
    if (!l || (!l.accepts(p.size, now) && !p.urgent)) return 0;
    out[0] = l;
    return 1;
  }
}
