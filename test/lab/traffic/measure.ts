// Running the lab's traffic tools from the controlling process: servers in `inet`, clients
// in `lan`, results parsed from their one JSON line, and the statistics the reports use.
import type { ChildProcess } from 'node:child_process';
import { ADDR, type Lab } from '../topology.js';
import type { BulkResult } from './bulk.js';
import type { ProbeResult } from './probe.js';
import { percentile } from '../../../src/status/percentile.js';

/** Resolves with the first stdout line that parses as JSON (or 'listening'), rejects on exit. */
export function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) without output: ${err.trim()}`)));
  });
}

export async function startServers(lab: Lab): Promise<void> {
  await Promise.all([
    firstLine(lab.node(lab.ns.inet, 'traffic/bulk.js', ['serve', '--port', '5201']), 'bulk server'),
    firstLine(lab.node(lab.ns.inet, 'traffic/probe.js', ['echo', '--port', '5300']), 'probe echo'),
  ]);
}

export interface BulkOptions { dir?: 'down' | 'up'; seconds?: number; flows?: number; cc?: string; host?: string; ns?: string }

export async function bulk(lab: Lab, o: BulkOptions = {}): Promise<BulkResult> {
  const args = ['run', '--host', o.host ?? ADDR.inet, '--dir', o.dir ?? 'down', '--seconds', String(o.seconds ?? 8),
    '--flows', String(o.flows ?? 1), '--cc', o.cc ?? 'cubic'];
  return JSON.parse(await firstLine(lab.node(o.ns ?? lab.ns.lan, 'traffic/bulk.js', args), 'bulk client')) as BulkResult;
}

export async function probe(lab: Lab, o: { seconds?: number; intervalMs?: number; host?: string; size?: number; ns?: string } = {}): Promise<ProbeResult> {
  const args = ['run', '--host', o.host ?? ADDR.inet, '--seconds', String(o.seconds ?? 3), '--interval', String(o.intervalMs ?? 20), '--size', String(o.size ?? 64)];
  return JSON.parse(await firstLine(lab.node(o.ns ?? lab.ns.lan, 'traffic/probe.js', args), 'probe')) as ProbeResult;
}

/** Mean goodput in Mbit/s after the first `warmupS` seconds (slow start is not the steady state). */
export function goodput(r: BulkResult, warmupS = 2): number {
  const s = r.samplesMbps.slice(Math.round(warmupS * 10), Math.round(r.seconds * 10));
  return s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
}

export { percentile };
export const median = (v: number[]) => percentile(v, 50);
