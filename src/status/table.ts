// The status as a table for people: `bondd status`, `/etc/init.d/bonding status`.
import type { LinkStatus, Status, BondStatus } from './status.js';

function rate(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kbit/s`;
  return `${bps} bit/s`;
}

function grid(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n');
}

function linkRows(links: LinkStatus[]): string {
  if (!links.length) return '  (no links)';
  const rows = [['LINK', 'ROLE', 'STATE', 'DEVICE', 'ADDRESS', 'RTT', 'LOSS', 'UP', 'DOWN', 'SHARE']];
  for (const l of links) {
    rows.push([
      l.name, l.role, l.state, l.device ?? '-', l.address ?? '-',
      l.state === 'down' || l.state === 'disabled' ? '-' : `${l.rtt_ms.toFixed(1)} ms`,
      `${l.loss_pct.toFixed(1)} %`, rate(l.tx_bps), rate(l.rx_bps), `${l.share_pct.toFixed(0)} %`,
    ]);
  }
  return grid(rows).split('\n').map((s) => '  ' + s).join('\n');
}

function bondLines(b: Partial<BondStatus>, indent: string): string[] {
  const out: string[] = [];
  if (b.totals) out.push(`${indent}total: up ${rate(b.totals.tx_bps)}, down ${rate(b.totals.rx_bps)}`);
  if (b.reorder) out.push(`${indent}reorder: ${b.reorder.buffered} waiting, hold ${b.reorder.hold_ms} ms (p99 ${b.reorder.hold_p99_ms} ms), ${b.reorder.timeouts} timeouts`);
  return out;
}

export function statusTable(s: Status): string {
  const up = `${Math.floor(s.uptime_s / 3600)}h${String(Math.floor((s.uptime_s % 3600) / 60)).padStart(2, '0')}m`;
  const lines = [
    `bond ${s.mode}: ${s.state}${s.state === 'connected' ? ` for ${up}` : ''}` + (s.server ? ` — server ${s.server}` : s.listen ? ` — listening on ${s.listen}` : ''),
    `tunnel: ${s.tunnel.device} ${s.tunnel.address ?? '(no address yet)'}${s.tunnel.peer_address ? ` ↔ ${s.tunnel.peer_address}` : ''}, mtu ${s.tunnel.mtu}, scheduler ${s.scheduler}`,
  ];
  if (s.mode === 'client') {
    lines.push(linkRows(s.links), ...bondLines(s, ''));
  } else {
    if (!s.peers?.length) lines.push('no peers configured');
    for (const p of s.peers ?? []) {
      lines.push('', `peer ${p.name} (${p.address}): ${p.state}`, linkRows(p.links), ...bondLines(p, '  '));
    }
  }
  return lines.join('\n') + '\n';
}
