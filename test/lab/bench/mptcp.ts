// The reference the issue measures against: kernel MPTCP (what OpenMPTCProuter uses) over the
// same emulated links, with iperf3 under mptcpize (Debian: iperf3, mptcpd). The MPTCP client
// runs on rt (it owns the WAN addresses), one subflow per link; the server on inet.
import { ipBatch, missingTools } from '../sh.js';
import { iperf3Down } from './iperf3.js';
import type { Lab } from '../topology.js';

export function mptcpMissing(): string[] {
  return missingTools({ iperf3: 'iperf3', mptcpize: 'mptcpd' });
}

/** Routes rt's links for MPTCP (per-address tables and endpoints); undone by close(). */
export function setupMptcp(lab: Lab): () => void {
  const rt = lab.ns.rt;
  const cmds = ['mptcp limits set subflows 8 add_addr_accepted 8'];
  for (const l of lab.links) {
    cmds.push(`route add default via ${l.gateway} dev ${l.device} table ${300 + l.index}`, `rule add from ${l.address} lookup ${300 + l.index} pref ${300 + l.index}`);
    if (l.index > 1) cmds.push(`mptcp endpoint add ${l.address} dev ${l.device} subflow`);
  }
  cmds.push(`route add default via ${lab.links[0]!.gateway} dev ${lab.links[0]!.device} table 399`, 'rule add lookup 399 pref 399');
  ipBatch(rt, cmds);
  ipBatch(lab.ns.inet, ['mptcp limits set subflows 8 add_addr_accepted 8']);
  return () => {
    const undo = ['mptcp endpoint flush', 'rule del pref 399', 'route flush table 399'];
    for (const l of lab.links) undo.push(`rule del pref ${300 + l.index}`, `route flush table ${300 + l.index}`);
    ipBatch(rt, undo);
  };
}

/** Mean goodput (Mbit/s) of an iperf3 download over MPTCP. */
export function mptcpDown(lab: Lab, seconds: number, flows: number, cc: string): Promise<number> {
  return iperf3Down(lab, { ns: lab.ns.rt, seconds, flows, cc, prefix: ['mptcpize', 'run'] });
}
