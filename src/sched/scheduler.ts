// Which link a packet leaves on. Every scheduler sees the links' live state (usable, room in
// the congestion window, pacing rate, one-way delay) and answers with the links to use, or
// none: then the packet waits in the tunnel's queue until an acknowledgement opens a window.
//
// Roles: primary links carry traffic; secondary links join when the primaries have no room;
// backup links are used only while no primary or secondary link is usable.
import type { Link } from '../link/link.js';
import type { SchedulerName } from '../config/types.js';
import { EarliestArrival } from './earliest-arrival.js';
import { RoundRobin } from './roundrobin.js';
import { Failover } from './failover.js';
import { Redundant } from './redundant.js';

export interface Packet {
  size: number;
  urgent: boolean; // a pure TCP ACK or similar: latency matters, not throughput
  backlog: number; // bytes waiting in the tunnel queue, this packet included
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** Writes the chosen links to out; returns how many (0 = wait). */
  pick(links: readonly Link[], p: Packet, now: number, out: Link[]): number;
}

export function createScheduler(name: SchedulerName): Scheduler {
  switch (name) {
    case 'adaptive': return new EarliestArrival();
    case 'roundrobin': return new RoundRobin();
    case 'failover': return new Failover();
    case 'redundant': return new Redundant();
  }
}

/** Usable links of the tiers in force: [primaries, secondaries], or [backups] when those fail. */
export function tiers(links: readonly Link[], out: Link[][]): Link[][] {
  const [primary, secondary, backup] = [out[0]!, out[1]!, out[2]!];
  primary.length = secondary.length = backup.length = 0;
  for (const l of links) {
    if (!l.usable) continue;
    (l.role === 'primary' ? primary : l.role === 'secondary' ? secondary : backup).push(l);
  }
  if (primary.length + secondary.length === 0) {
    primary.push(...backup);
    backup.length = 0;
  }
  return out;
}

export function newTiers(): Link[][] {
  return [[], [], []];
}

/** The usable link with the lowest one-way delay among the tiers in force, or undefined. */
export function fastest(t: Link[][], now: number): Link | undefined {
  let best: Link | undefined, bestOwd = Infinity;
  for (let k = 0; k < 2; k++) {
    for (const l of t[k]!) {
      const owd = l.owd(now);
      if (owd < bestOwd) (best = l), (bestOwd = owd);
    }
  }
  return best;
}

/** An urgent packet (a pure TCP ACK) takes the fastest link, room or not: 1 link, or 0 (none usable). */
export function pickUrgent(t: Link[][], now: number, out: Link[]): number {
  const f = fastest(t, now);
  if (!f) return 0;
  out[0] = f;
  return 1;
}
