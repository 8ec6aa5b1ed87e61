// `adaptive`: each packet goes to the link where it is predicted to arrive first,
//   arrival = when the link's pacing lets it leave (what is queued for the link, at the link's
//             rate) + the link's one-way delay,
// among links with room in their congestion window. Light traffic therefore stays on the
// lowest-latency link and bulk spills over to the others as their windows fill; with equal
// links the predictions tie and traffic spreads. A busy fast link is waited for only while it
// could clear the whole backlog before a slower idle link would deliver (ECF's rule, Lim et
// al. 2017): then taking the slow link would only make this packet late and hold up the
// reorder buffer; otherwise the slow link's capacity is needed.
import type { Link } from '../link/link.js';
import { tiers, newTiers, pickUrgent, type Packet, type Scheduler } from './scheduler.js';

const MIN_PATIENCE_MS = 3;

// The packet's own serialisation is left out on purpose: on a link whose rate estimate is low
// because it was little used, it would keep the link little used (the "death spiral" of
// estimate-then-split schedulers); an idle link is worth its one-way delay.
export function predictedArrival(l: Link, now: number, owd = l.owd(now)): number {
  const rate = Math.max(1e-3, l.pacingRate());
  return Math.max(now, l.nextSendAt) + l.queued / rate + owd;
}

/**
 * When a link without room would deliver the last of `backlog` bytes: once enough of its
 * flight is acknowledged, and at its rate after that.
 */
export function arrivalAfterWait(l: Link, backlog: number, now: number, owd = l.owd(now)): number {
  const rate = Math.max(1e-3, l.cc.btlBw || l.pacingRate());
  return now + (backlog - l.room()) / rate + owd;
}

export class EarliestArrival implements Scheduler {
  readonly name = 'adaptive';
  private readonly t = newTiers();

  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number {
    const t = tiers(links, this.t);
    if (p.urgent) return pickUrgent(t, now, out);
    for (let k = 0; k < 2; k++) {
      const tier = t[k]!;
      let best: Link | undefined, bestAt = Infinity, waitAt = Infinity, minOwd = Infinity;
      for (const l of tier) {
        const owd = l.owd(now);
        if (owd < minOwd) minOwd = owd;
        if (l.room() < p.size) {
          waitAt = Math.min(waitAt, arrivalAfterWait(l, p.backlog, now, owd));
          continue;
        }
        const at = predictedArrival(l, now, owd);
        if (!l.accepts(p.size, now)) waitAt = Math.min(waitAt, at + p.backlog / Math.max(1e-3, l.pacingRate()));
        else if (at < bestAt) (best = l), (bestAt = at);
      }
      // Patience: how much later a packet may arrive on an idle link than on a busy one before
      // it waits for the busy one: half the fastest link's one-way delay (at least 3 ms). Below
      // that the reorder buffer absorbs the difference, and an idle link's capacity is not
      // wasted; above it (a satellite link beside LTE) a packet would hold its lane back longer
      // than waiting costs.
      if (best && bestAt <= waitAt + Math.max(MIN_PATIENCE_MS, minOwd / 2)) {
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
