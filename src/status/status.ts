// The status document (DESIGN.md, "Status"): the same JSON for `ubus call bonding status`,
// `bondd status --json` and the LuCI page. Built from the live state on request.
import { percentile } from './percentile.js';
import type { Bond } from '../device/bond.js';
import type { Link } from '../link/link.js';

export interface LinkStatus {
  name: string;
  interface: string | null;
  device: string | null;
  address: string | null;
  gateway: string | null;
  table: number | null;
  role: string;
  state: string;
  reason: string;
  rtt_ms: number;
  rtt_min_ms: number;
  jitter_ms: number;
  loss_pct: number;
  tx_bps: number;
  rx_bps: number;
  est_capacity_up_bps: number;
  est_capacity_down_bps: number;
  tx_bytes: number;
  rx_bytes: number;
  share_pct: number;
  last_rx_ms_ago: number | null;
  cwnd_bytes: number;
  inflight_bytes: number;
  repairs: number;
  lost_packets: number;
}

export interface BondStatus {
  links: LinkStatus[];
  totals: { tx_bps: number; rx_bps: number; tx_bytes: number; rx_bytes: number };
  reorder: { buffered: number; released_late: number; timeouts: number; hold_ms: number; hold_p99_ms: number };
  queue: { packets: number; drops: number; repairs: number; skips: number };
}

export interface Status extends Partial<BondStatus> {
  mode: 'client' | 'server';
  state: 'connected' | 'connecting' | 'down';
  uptime_s: number;
  server?: string;
  listen?: string;
  tunnel: { device: string; address: string | null; peer_address: string | null; mtu: number; address6?: string | null };
  scheduler: string;
  links: LinkStatus[];
  totals: BondStatus['totals'];
  reorder: BondStatus['reorder'];
  peers?: PeerStatus[];
  dropped: { junk: number; replayed: number; forged: number };
}

export interface PeerStatus extends BondStatus {
  name: string;
  state: 'connected' | 'connecting' | 'down';
  address: string;
  uptime_s: number;
}

/** Where a link is, in system terms (the client knows; the server hears it from the client). */
export interface LinkPlace {
  interface?: string;
  device?: string;
  address?: string;
  gateway?: string;
  table?: number;
  why?: string;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `weAreClient`: our estimate is of the direction we send (up for a client), the peer's of the other. */
export function bondStatus(bond: Bond, place: (l: Link) => LinkPlace, now: number, weAreClient: boolean): BondStatus {
  const links = bond.links.filter((l): l is Link => !!l);
  const total = links.reduce((a, l) => a + l.txBps + l.rxBps, 0);
  const statuses = links.map((l): LinkStatus => {
    const p = place(l);
    const rtt = l.pingRtt.hasSample ? l.pingRtt : l.rtt;
    const ours = Math.round(l.cc.btlBw * 8000), theirs = Math.round(l.peerCapacityBps);
    return {
      name: l.name,
      interface: p.interface ?? null,
      device: p.device ?? null,
      address: p.address ?? null,
      gateway: p.gateway ?? null,
      table: p.table ?? null,
      role: l.role,
      state: l.state,
      reason: p.why && l.state === 'down' ? p.why : l.reason,
      rtt_ms: round(rtt.srtt),
      rtt_min_ms: round(rtt.min),
      jitter_ms: round(rtt.rttvar),
      loss_pct: round(l.lossPct, 2),
      tx_bps: Math.round(l.txBps),
      rx_bps: Math.round(l.rxBps),
      // "up" is the client's sending direction, "down" the server's
      est_capacity_up_bps: weAreClient ? ours : theirs,
      est_capacity_down_bps: weAreClient ? theirs : ours,
      tx_bytes: l.txBytes,
      rx_bytes: l.rx.bytes,
      share_pct: total > 0 ? round((100 * (l.txBps + l.rxBps)) / total) : 0,
      last_rx_ms_ago: l.rx.lastAt === -Infinity ? null : Math.round(now - l.rx.lastAt),
      cwnd_bytes: Math.round(l.cc.cwnd),
      inflight_bytes: l.sent.inflight,
      repairs: l.repairs,
      lost_packets: l.lostPackets,
    };
  });
  const r = bond.receive.reorder;
  return {
    links: statuses,
    totals: {
      tx_bps: statuses.reduce((a, l) => a + l.tx_bps, 0),
      rx_bps: statuses.reduce((a, l) => a + l.rx_bps, 0),
      tx_bytes: statuses.reduce((a, l) => a + l.tx_bytes, 0),
      rx_bytes: statuses.reduce((a, l) => a + l.rx_bytes, 0),
    },
    reorder: {
      buffered: r.waiting,
      released_late: r.stats.releasedLate,
      timeouts: r.stats.timeouts,
      hold_ms: round(r.holdMs),
      hold_p99_ms: r.stats.holdsMs.length ? round(percentile(r.stats.holdsMs, 99)) : 0,
    },
    queue: { packets: bond.send.queue.length, drops: bond.send.queue.drops, repairs: bond.send.repairs, skips: bond.send.skips },
  };
}
