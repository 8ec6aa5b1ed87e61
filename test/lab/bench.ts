// npm run bench -- [--scenario NAME|all] [--json] [--seconds N] [--cc cubic|bbr|reno]
// Per scenario: the links' settings, the sum of their capacities, each link alone (TCP through
// the link without a tunnel), and the bond; then the addon's packet-I/O micro-bench.
// Needs root. Prints tables, or one JSON document with --json.
import { spawnSync } from 'node:child_process';
import { SCENARIOS, scenario, type Scenario } from './scenarios.js';
import { Lab } from './topology.js';
import { startServers, bulk, probe, goodput, median, percentile, firstLine } from './traffic/measure.js';
import { benchAddonIo, type IoResult } from './bench/addon-io.js';
import { table } from './report.js';
import { missingTools } from './sh.js';

export interface LinkAlone { link: string; settings: string; down: number; up: number; rttIdle: number; iperf3Down?: number }
export interface ScenarioResult { scenario: string; about: string; capacityDown: number; capacityUp: number; alone: LinkAlone[]; bestAloneDown: number; bestAloneUp: number }

export interface BenchOptions { seconds: number; cc: string }

function describe(l: Lab['links'][number]): string {
  const s = (x: typeof l.down) => (x.traceFile ? `trace ${x.traceFile.split('/').pop()} (avg ${x.rateMbps.toFixed(1)})` : x.rateMbps ? `${x.rateMbps} Mbit/s` : 'unshaped');
  const rate = s(l.down) === s(l.up) ? s(l.down) : `${s(l.down)} down / ${s(l.up)} up`;
  return `${rate}, ${l.down.delayMs} ms${l.down.lossPct ? `, ${l.down.lossPct} % loss` : ''}`;
}

function iperf3Down(lab: Lab, seconds: number, cc: string): Promise<number> {
  lab.spawn(lab.ns.inet, 'iperf3', ['-s', '-1', '-p', '5202']);
  return new Promise((resolve) => {
    setTimeout(async () => {
      const c = lab.spawn(lab.ns.lan, 'iperf3', ['-c', '198.51.100.2', '-p', '5202', '-R', '-t', String(seconds), '-O', '2', '-C', cc, '-J']);
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d));
      c.on('exit', () => {
        try {
          resolve(JSON.parse(out).end.sum_received.bits_per_second / 1e6);
        } catch {
          resolve(NaN);
        }
      });
    }, 300);
  });
}

export async function benchScenario(sc: Scenario, o: BenchOptions): Promise<ScenarioResult> {
  const lab = await Lab.start(sc.links, { prefix: 'blbench' });
  try {
    await startServers(lab);
    const haveIperf = missingTools({ iperf3: 'iperf3' }).length === 0;
    const alone: LinkAlone[] = [];
    for (const l of lab.links) {
      lab.useLinkAlone(l.index);
      const rtt = median((await probe(lab, { seconds: 1.5 })).rttMs);
      const down = goodput(await bulk(lab, { dir: 'down', seconds: o.seconds, cc: o.cc }));
      const up = goodput(await bulk(lab, { dir: 'up', seconds: o.seconds, cc: o.cc }));
      const row: LinkAlone = { link: l.name, settings: describe(l), down, up, rttIdle: rtt };
      if (haveIperf) row.iperf3Down = await iperf3Down(lab, o.seconds, o.cc);
      alone.push(row);
    }
    lab.useLinkAlone(null);
    return {
      scenario: sc.name, about: sc.about,
      capacityDown: lab.links.reduce((a, l) => a + l.down.rateMbps, 0),
      capacityUp: lab.links.reduce((a, l) => a + l.up.rateMbps, 0),
      alone,
      bestAloneDown: Math.max(...alone.map((a) => a.down)),
      bestAloneUp: Math.max(...alone.map((a) => a.up)),
    };
  } finally {
    lab.close();
  }
}

function print(r: ScenarioResult): void {
  console.log(`\n== ${r.scenario}: ${r.about}`);
  console.log(`capacity (sum of links): ${r.capacityDown.toFixed(1)} Mbit/s down, ${r.capacityUp.toFixed(1)} up`);
  const iperf = r.alone.some((a) => a.iperf3Down !== undefined);
  console.log(table(
    ['link', 'settings', 'down Mbit/s', 'up Mbit/s', 'RTT idle ms', ...(iperf ? ['iperf3 down'] : [])],
    r.alone.map((a) => [a.link, a.settings, a.down, a.up, a.rttIdle, ...(iperf ? [a.iperf3Down ?? NaN] : [])]),
  ));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (process.getuid?.() !== 0) throw new Error('the bench builds network namespaces: run it as root (sudo npm run bench)');
  const which = arg('scenario') ?? 'all';
  const json = argv.includes('--json');
  const o: BenchOptions = { seconds: Number(arg('seconds') ?? 10), cc: arg('cc') ?? 'cubic' };
  const list = which === 'all' ? SCENARIOS : which.split(',').map(scenario);
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
  if (json) console.log(JSON.stringify({ options: o, scenarios: results, io }, null, 2));
}

void firstLine, percentile, spawnSync;
main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
