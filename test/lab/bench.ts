// npm run bench -- [--scenario NAME[,NAME…]|all] [--json] [--seconds N] [--cc cubic|bbr|reno]
//                  [--quick] [--no-mptcp] [--traces DIR]
// Per scenario, on the lab's emulated links:
//   links alone   TCP straight through each link (no tunnel): down, up, idle RTT
//   bond per link the bond over each link alone (its own overhead, for the aggregation ratio)
//   bond          all links: 1 and 4 flows down and up, RTT idle and under load through the bond
//   mptcp         kernel MPTCP over the same links (iperf3 + mptcpize), when installed
//   failover      (scenario failover) a link cut mid-transfer: stall and what remains
//   cpu           (scenario cpu) unshaped links: Mbit/s and CPU seconds per GB of both daemons
// then the addon's packet-I/O micro-bench. Needs root. Tables, or one JSON document (--json).
import { setTimeout as sleep } from 'node:timers/promises';
import { option, printedHelp, scenariosFromArgs, type Scenario } from './scenarios.js';
import { Lab } from './topology.js';
import { LabBond } from './bond.js';
import { startServers, bulk, probe, goodput, median, percentile } from './traffic/measure.js';
import { benchAddonIo, type IoResult } from './bench/addon-io.js';
import { mptcpMissing, setupMptcp, mptcpDown } from './bench/mptcp.js';
import { iperf3Down } from './bench/iperf3.js';
import { cpuPerGB, rssMB } from './bench/procstat.js';
import { benchOpenvpn, openvpnMissing } from './bench/openvpn.js';
import { table, fmt } from './report.js';
import { missingTools } from './sh.js';

export interface BenchOptions { seconds: number; cc: string; quick: boolean; mptcp: boolean; mtu: number }

export interface LinkAlone { link: string; settings: string; down: number; up: number; rttIdle: number; iperf3Down?: number; bondDown?: number }
export interface BondResult {
  down1: number; down4: number; up1: number; up4: number;
  rttIdle: number; rttLoadMedian: number; rttLoadP95: number;
  /** The client's reorder buffer after the 1-flow download: hold time it had adapted to, p99 of hole durations. */
  holdMs: number; holdP99Ms: number;
  /** Resident memory of the daemons, idle after connecting and at the end of the 1-flow download. */
  rssMB: { clientIdle: number; serverIdle: number; clientLoad: number; serverLoad: number };
  samplesDown1: number[];
}
export interface FailoverResult { stallMs: number; zeroIntervals: number; before: number; after: number; remainingLink: number; survived: boolean; samples: number[] }
export interface CpuResult { mbps: number; clientCpuSPerGB: number; serverCpuSPerGB: number; openvpn?: { mbps: number; clientCpuSPerGB: number; serverCpuSPerGB: number } }
export interface ScenarioResult {
  scenario: string; about: string; capacityDown: number; capacityUp: number;
  alone: LinkAlone[]; bestAloneDown: number; bestAloneUp: number; sumBondAloneDown?: number;
  bond?: BondResult; efficiency?: number; aggregation?: number; rttAddedLoad?: number; rttAddedIdle?: number;
  mptcp?: { down1: number; down4: number };
  failover?: FailoverResult;
  cpu?: CpuResult;
}

function describe(l: Lab['links'][number]): string {
  const s = (x: typeof l.down) => (x.traceFile ? `trace ${x.traceFile.split('/').pop()} (avg ${x.rateMbps.toFixed(1)})` : x.rateMbps ? `${x.rateMbps} Mbit/s` : 'unshaped');
  const rate = s(l.down) === s(l.up) ? s(l.down) : `${s(l.down)} down / ${s(l.up)} up`;
  return `${rate}, ${l.down.delayMs} ms${l.down.lossPct ? `, ${l.down.lossPct} % loss` : ''}`;
}

const bondOpts = (o: BenchOptions, links?: number[]) => ({ links, clientExtra: `\toption mtu '${o.mtu}'\n` });

async function runBond(lab: Lab, o: BenchOptions): Promise<BondResult> {
  const bond = await LabBond.start(lab, bondOpts(o));
  try {
    await bond.connected(15_000);
    const idle = await probe(lab, { seconds: 2 });
    const rssIdle = [rssMB(bond.client.pid!), rssMB(bond.server.pid!)];
    const loadProbe = probe(lab, { seconds: o.seconds - 1, intervalMs: 50 });
    const d1 = await bulk(lab, { dir: 'down', seconds: o.seconds, cc: o.cc });
    const rssLoad = [rssMB(bond.client.pid!), rssMB(bond.server.pid!)];
    const reorder = (await bond.status('client')).reorder;
    const load = await loadProbe;
    const skipWarmup = load.rttMs.slice(Math.round(2000 / 50));
    const down4 = o.quick ? NaN : goodput(await bulk(lab, { dir: 'down', seconds: o.seconds, flows: 4, cc: o.cc }));
    const up1 = goodput(await bulk(lab, { dir: 'up', seconds: o.seconds, cc: o.cc }));
    const up4 = o.quick ? NaN : goodput(await bulk(lab, { dir: 'up', seconds: o.seconds, flows: 4, cc: o.cc }));
    return {
      down1: goodput(d1), down4, up1, up4,
      rttIdle: median(idle.rttMs), rttLoadMedian: median(skipWarmup), rttLoadP95: percentile(skipWarmup, 95),
      holdMs: reorder?.hold_ms ?? NaN, holdP99Ms: reorder?.hold_p99_ms ?? NaN,
      rssMB: { clientIdle: rssIdle[0]!, serverIdle: rssIdle[1]!, clientLoad: rssLoad[0]!, serverLoad: rssLoad[1]! },
      samplesDown1: d1.samplesMbps,
    };
  } finally {
    await bond.stop();
  }
}

async function runFailover(lab: Lab, o: BenchOptions, cut: number): Promise<FailoverResult> {
  const bond = await LabBond.start(lab, bondOpts(o));
  try {
    await bond.connected(15_000);
    const seconds = Math.max(12, o.seconds);
    const running = bulk(lab, { dir: 'down', seconds, cc: o.cc });
    await sleep(5000);
    await lab.cut(cut);
    const r = await running;
    const s = r.samplesMbps;
    const cutAt = 50; // 100 ms samples; the cut came 5 s in
    const window = s.slice(cutAt - 5, cutAt + 40);
    const zeroIntervals = window.filter((x) => x < 0.5).length;
    const remaining = lab.links.filter((l) => l.index !== cut).reduce((a, l) => a + l.down.rateMbps, 0);
    const after = s.slice(cutAt + 30, Math.round(seconds * 10)).reduce((a, b) => a + b, 0) / Math.max(1, Math.round(seconds * 10) - cutAt - 30);
    return {
      stallMs: zeroIntervals * 100, zeroIntervals, before: s.slice(20, cutAt).reduce((a, b) => a + b, 0) / (cutAt - 20), after,
      remainingLink: remaining, survived: r.errors.length === 0 && after > 0, samples: s,
    };
  } finally {
    await lab.restore(cut);
    await bond.stop();
  }
}

async function runCpu(lab: Lab, o: BenchOptions): Promise<CpuResult> {
  const bond = await LabBond.start(lab, bondOpts(o));
  try {
    await bond.connected(15_000);
    const { result, ...cpu } = await cpuPerGB(bond.client.pid!, bond.server.pid!, () => bulk(lab, { dir: 'down', seconds: o.seconds, cc: o.cc }));
    return { mbps: goodput(result), ...cpu };
  } finally {
    await bond.stop();
  }
}

export async function benchScenario(sc: Scenario, o: BenchOptions): Promise<ScenarioResult> {
  const lab = await Lab.start(sc.links, { prefix: 'blbench' });
  try {
    await startServers(lab);
    const haveIperf = missingTools({ iperf3: 'iperf3' }).length === 0;
    const alone: LinkAlone[] = [];
    const shaped = lab.links.every((l) => l.shaped);
    for (const l of lab.links) {
      lab.useLinkAlone(l.index);
      const rtt = median((await probe(lab, { seconds: 1.5 })).rttMs);
      const down = goodput(await bulk(lab, { dir: 'down', seconds: o.seconds, cc: o.cc }));
      const up = o.quick ? NaN : goodput(await bulk(lab, { dir: 'up', seconds: o.seconds, cc: o.cc }));
      const row: LinkAlone = { link: l.name, settings: describe(l), down, up, rttIdle: rtt };
      if (haveIperf && !o.quick) row.iperf3Down = await iperf3Down(lab, { ns: lab.ns.lan, seconds: o.seconds, cc: o.cc });
      alone.push(row);
    }
    lab.useLinkAlone(null);
    const result: ScenarioResult = {
      scenario: sc.name, about: sc.about,
      capacityDown: lab.links.reduce((a, l) => a + l.down.rateMbps, 0),
      capacityUp: lab.links.reduce((a, l) => a + l.up.rateMbps, 0),
      alone,
      bestAloneDown: Math.max(...alone.map((a) => a.down)),
      bestAloneUp: Math.max(...alone.map((a) => a.up)),
    };
    if (sc.name === 'cpu') {
      result.cpu = await runCpu(lab, o);
      if (openvpnMissing().length === 0) result.cpu.openvpn = await benchOpenvpn(lab, o.seconds, o.cc);
      return result;
    }
    if (sc.cutLink) {
      result.failover = await runFailover(lab, o, sc.cutLink);
      return result;
    }
    if (shaped && !o.quick) {
      for (const l of lab.links) {
        const b = await LabBond.start(lab, bondOpts(o, [l.index]));
        try {
          await b.connected(15_000);
          alone[l.index - 1]!.bondDown = goodput(await bulk(lab, { dir: 'down', seconds: o.seconds, cc: o.cc }));
        } finally {
          await b.stop();
        }
      }
      result.sumBondAloneDown = alone.reduce((a, x) => a + (x.bondDown ?? 0), 0);
    }
    const bond = await runBond(lab, o);
    result.bond = bond;
    result.efficiency = (100 * bond.down1) / result.capacityDown;
    if (result.sumBondAloneDown) result.aggregation = (100 * bond.down1) / result.sumBondAloneDown;
    const fastestIdle = Math.min(...alone.map((a) => a.rttIdle));
    result.rttAddedLoad = bond.rttLoadMedian - fastestIdle;
    result.rttAddedIdle = bond.rttIdle - fastestIdle;
    if (o.mptcp && mptcpMissing().length === 0 && shaped) {
      const undo = setupMptcp(lab);
      try {
        result.mptcp = { down1: await mptcpDown(lab, o.seconds, 1, o.cc), down4: o.quick ? NaN : await mptcpDown(lab, o.seconds, 4, o.cc) };
      } finally {
        undo();
      }
    }
    return result;
  } finally {
    lab.close();
  }
}

function print(r: ScenarioResult): void {
  console.log(`\n== ${r.scenario}: ${r.about}`);
  console.log(`capacity (sum of links): ${fmt(r.capacityDown)} Mbit/s down, ${fmt(r.capacityUp)} up`);
  const iperf = r.alone.some((a) => a.iperf3Down !== undefined);
  console.log(table(
    ['link', 'settings', 'alone down', 'alone up', 'RTT idle ms', ...(iperf ? ['iperf3 down'] : []), 'bond on it alone'],
    r.alone.map((a) => [a.link, a.settings, a.down, a.up, a.rttIdle, ...(iperf ? [a.iperf3Down ?? NaN] : []), a.bondDown ?? NaN]),
  ));
  if (r.bond) {
    const b = r.bond;
    console.log(table(['', '1 flow down', '4 flows down', '1 flow up', '4 flows up'], [
      ['bond', b.down1, b.down4, b.up1, b.up4],
      ...(r.mptcp ? [['kernel MPTCP', r.mptcp.down1, r.mptcp.down4, NaN, NaN] as (string | number)[]] : []),
      ['best link alone', r.bestAloneDown, NaN, r.bestAloneUp, NaN],
    ]));
    console.log(`efficiency ${fmt(r.efficiency!)} % of capacity` + (r.aggregation ? `, aggregation ${fmt(r.aggregation)} % of the bond over each link alone (sum ${fmt(r.sumBondAloneDown!)})` : '') +
      `; RTT through the bond: idle ${fmt(b.rttIdle)} ms (+${fmt(r.rttAddedIdle!)}), under load median ${fmt(b.rttLoadMedian)} ms (+${fmt(r.rttAddedLoad!)} over the fastest link idle), p95 ${fmt(b.rttLoadP95)} ms`);
    console.log(`reorder hold (client, after the 1-flow download): ${fmt(b.holdMs)} ms, p99 of holes ${fmt(b.holdP99Ms)} ms; ` +
      `RSS client ${fmt(b.rssMB.clientIdle)} MB idle, ${fmt(b.rssMB.clientLoad)} MB loaded; server ${fmt(b.rssMB.serverIdle)} / ${fmt(b.rssMB.serverLoad)} MB`);
  }
  if (r.failover) {
    const f = r.failover;
    console.log(`failover: connection ${f.survived ? 'survived' : 'BROKE'}; 100 ms intervals without data: ${f.zeroIntervals} (${f.stallMs} ms); before the cut ${fmt(f.before)} Mbit/s, after ${fmt(f.after)} Mbit/s = ${fmt((100 * f.after) / (f.remainingLink * 0.913))} % of the remaining link's tunnel capacity`);
  }
  if (r.cpu) {
    const rows: (string | number)[][] = [['bond (2 links)', r.cpu.mbps, r.cpu.clientCpuSPerGB, r.cpu.serverCpuSPerGB]];
    if (r.cpu.openvpn) rows.push(['OpenVPN (UDP, AES-256-GCM, 1 link)', r.cpu.openvpn.mbps, r.cpu.openvpn.clientCpuSPerGB, r.cpu.openvpn.serverCpuSPerGB]);
    console.log('one TCP flow over unshaped links, encryption on\n' + table(['', 'Mbit/s', 'client CPU s/GB', 'server CPU s/GB'], rows));
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (printedHelp(argv, 'usage: sudo npm run bench -- [--scenario NAME[,NAME…]|all] [--json] [--seconds N] [--cc cubic|bbr|reno]\n                              [--quick] [--no-mptcp] [--mtu N] [--traces DIR] [--io]')) return;
  if (process.getuid?.() !== 0) throw new Error('the bench builds network namespaces: run it as root (sudo npm run bench)');
  const which = option(argv, 'scenario') ?? 'all';
  const list = scenariosFromArgs(argv, 'all');
  const json = argv.includes('--json');
  const o: BenchOptions = {
    seconds: Number(option(argv, 'seconds') ?? 10), cc: option(argv, 'cc') ?? 'cubic', quick: argv.includes('--quick'),
    mptcp: !argv.includes('--no-mptcp'), mtu: Number(option(argv, 'mtu') ?? 1424),
  };
  const results: ScenarioResult[] = [];
  for (const sc of list) {
    const r = await benchScenario(sc, o);
    results.push(r);
    if (!json) print(r);
  }
  let io: IoResult[] = [];
  if (which === 'all' || argv.includes('--io')) {
    io = await benchAddonIo();
    if (!json) {
      console.log('\n== packet I/O (addon batches vs plain Node), 1400-byte packets');
      console.log(table(['path', 'impl', 'packets/s', 'CPU µs/packet'], io.map((x) => [x.path, x.impl, x.pps, x.cpuUsPerPacket])));
    }
  }
  if (json) console.log(JSON.stringify({ options: o, scenarios: results.map((r) => ({ ...r, bond: r.bond && { ...r.bond, samplesDown1: undefined } })), io }, null, 2));
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
