// iperf3 downloads from inet, the reference beside the lab's own bulk tool; `prefix` runs both
// ends under a wrapper (mptcpize run, for kernel MPTCP). Debian: iperf3.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADDR, type Lab } from '../topology.js';

export interface Iperf3Down { ns: string; seconds: number; cc: string; flows?: number; prefix?: string[] }

/** Mean goodput (Mbit/s) of an iperf3 download into `ns`, after 2 omitted seconds; NaN when iperf3 failed. */
export async function iperf3Down(lab: Lab, o: Iperf3Down): Promise<number> {
  const cmd = o.prefix?.[0] ?? 'iperf3';
  const pre = o.prefix ? [...o.prefix.slice(1), 'iperf3'] : [];
  const server = lab.spawn(lab.ns.inet, cmd, [...pre, '-s', '-1', '-p', '5202']);
  await sleep(300);
  const c = lab.spawn(o.ns, cmd, [...pre, '-c', ADDR.inet, '-p', '5202', '-R', '-t', String(o.seconds), '-O', '2', '-P', String(o.flows ?? 1), '-C', o.cc, '-J']);
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d));
  await once(c, 'exit');
  // a one-off server is left behind when the client failed
  server.kill();
  try {
    return JSON.parse(out).end.sum_received.bits_per_second / 1e6;
  } catch {
    return NaN;
  }
}
