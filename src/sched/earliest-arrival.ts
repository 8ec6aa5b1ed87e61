// `adaptive`: each packet goes to the link where it is predicted to arrive first,
//   arrival = when the link's pacing lets it leave (what is queued for the link, at the link's
//             rate) + the link's one-way delay,
// among links with room in their congestion window. Light traffic therefore stays on the
// lowest-latency link and bulk spills over to the others as their windows fill; with equal
// links the predictions tie and traffic spreads. If a link without room would still deliver
// earlier once its window opens (ECF's rule), the packet waits for it instead of taking a
// slow link that would make it arrive late and hold up the reorder buffer.
import type { Link } from '../link/link.js';
import { tiers, newTiers, fastest, type Packet, type Scheduler } from './scheduler.js';

const HYSTERESIS_MS = 1;

// The packet's own serialisation is left out on purpose: on a link whose rate estimate is low
// because it was little used, it would keep the link little used (the "death spiral" of
// estimate-then-split schedulers); an idle link is worth its one-way delay.
export function predictedArrival(l: Link, now: number): number {
  const rate = Math.max(1e-3, l.pacingRate());
  return Math.max(now, l.nextSendAt) + l.queued / rate + l.owd;
}

/** When a link without room would deliver the packet: once enough of its flight is acknowledged. */
export function arrivalAfterWait(l: Link, size: number, now: number): number {
  const rate = Math.max(1e-3, l.cc.btlBw || l.pacingRate());
  return now + (size - l.room()) / rate + l.owd;
}

export class EarliestArrival implements Scheduler {
  readonly name = 'adaptive';
  private readonly t = newTiers();

  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number {
    const t = tiers(links, this.t);
    if (p.urgent) {
      const f = fastest(t);
      if (!f) return 0;
      out[0] = f;
      return 1;
    }
    for (let k = 0; k < 2; k++) {
      const tier = t[k]!;
      let best: Link | undefined, bestAt = Infinity, waitAt = Infinity;
      for (const l of tier) {
        if (l.room() >= p.size) {
          const at = predictedArrival(l, now);
          if (at < bestAt) (best = l), (bestAt = at);
        } else {
          waitAt = Math.min(waitAt, arrivalAfterWait(l, p.size, now));
        }
      }
      if (best && bestAt <= waitAt + HYSTERESIS_MS) {
        out[0] = best;
        return 1;
      }
      // the fast link will do better once its window opens: wait for it
      if (best || tier.length > 0 && k === 1) return 0;
      // no room in this tier at all: secondaries are the overflow
    }
    return 0;
  }
}
