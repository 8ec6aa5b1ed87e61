// Policy routing for the client's links, and the tunnel as default route.
//
// Per link: a table with `default via <gateway> dev <device>` (or `dev` alone for
// point-to-point links), and a rule `from <link address> lookup <table>` at priority
// RULE_BASE + link id, before the main table (32766) and clear of mwan3 (1001–3999), netifd
// (10000, 20000) and pbr (≈30000). The link's socket is bound to that address, so the
// tunnel's own packets leave through their link even when the default route points into the
// tunnel. Everything is tagged with protocol PROTO, so that a restart after a crash finds and
// removes what an earlier run left.
import { ipBatch, ipJson } from './ip.js';

export const RULE_BASE = 5000;
export const TABLE_BASE = 200;
export const PROTO = 77;

export interface LinkRoute {
  table: number;
  priority: number;
  address: string;
  device: string;
  gateway?: string;
}

export async function addLinkRoute(r: LinkRoute): Promise<void> {
  await ipBatch([
    `route replace default ${r.gateway ? `via ${r.gateway} ` : ''}dev ${r.device} table ${r.table} proto ${PROTO}`,
  ]);
  await ipBatch([`rule del priority ${r.priority}`], { force: true });
  await ipBatch([`rule add from ${r.address} lookup ${r.table} priority ${r.priority} protocol ${PROTO}`]);
}

export async function removeLinkRoute(r: LinkRoute): Promise<void> {
  await ipBatch([`rule del priority ${r.priority}`, `route flush table ${r.table} proto ${PROTO}`], { force: true });
}

/** The tunnel as default route: two halves (0/1 and 128/1) beat any default, removing none. */
export async function tunnelDefault(device: string, v6: boolean): Promise<void> {
  const lines = [`route replace 0.0.0.0/1 dev ${device} proto ${PROTO}`, `route replace 128.0.0.0/1 dev ${device} proto ${PROTO}`];
  if (v6) lines.push(`route replace ::/1 dev ${device} proto ${PROTO}`, `route replace 8000::/1 dev ${device} proto ${PROTO}`);
  await ipBatch(lines);
}

/** Removes every rule and route tagged as ours (after a crash, or at shutdown). */
export async function removeAll(): Promise<void> {
  const rules = await ipJson<{ priority: number; protocol?: string }[]>(['rule', 'show']).catch(() => []);
  const lines = rules.filter((r) => r.protocol === String(PROTO)).map((r) => `rule del priority ${r.priority}`);
  lines.push(`route flush table all proto ${PROTO}`);
  await ipBatch(lines, { force: true });
  await ipBatch([`route flush table all proto ${PROTO}`], { family: 6, force: true });
}
