// The data plane in simulated time: the real bonds, schedulers, congestion control, FEC and
// reorder buffers, over the lab's link model (test/sim/bondsim.ts). Deterministic: every run
// of a test sees the same packets at the same simulated times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BondSim, mbps } from '../sim/bondsim.js';
import { parseTrace } from '../lab/link/shaper.js';
import { TRACES } from '../lab/paths.js';
import { percentile } from '../../src/status/percentile.js';

// IP packets of 1400 bytes travel as 1476 on the wire (outer IP/UDP, header, tag)
const WIRE = 1400 / 1476;

test('two equal links carry their sum', () => {
  const sim = new BondSim([{ name: 'a', down: mbps(50, 20) }, { name: 'b', down: mbps(50, 20) }]);
  sim.bulk(1, 1000, 8000);
  sim.run(8000);
  const g = sim.goodput(1, 3000, 8000);
  assert.ok(g > 0.95 * 100 * WIRE, `${g.toFixed(1)} Mbit/s of ${(100 * WIRE).toFixed(1)}`);
  // startup's window (4 × BDP, so that TCP's slow start is never held back) overshoots a greedy
  // source into the links' queues: a few repairs may come after their hole was given up
  assert.ok(sim.client.outOfOrder <= 3, `${sim.client.outOfOrder} delivered out of order (startup overshoot may lose a few)`);
});

test('unequal links each carry about their capacity', () => {
  const sim = new BondSim([{ name: 'fast', down: mbps(60, 15) }, { name: 'slow', down: mbps(20, 40) }]);
  sim.bulk(1, 1000, 8000);
  sim.run(8000);
  const g = sim.goodput(1, 3000, 8000);
  assert.ok(g > 0.93 * 80 * WIRE, `${g.toFixed(1)} Mbit/s of ${(80 * WIRE).toFixed(1)}`);
  const [fast, slow] = sim.server.bond.links.map((l) => (l.txBytes * 8) / 7000 / 1000);
  assert.ok(fast! > 50 && slow! > 15, `fast ${fast!.toFixed(1)}, slow ${slow!.toFixed(1)} Mbit/s`);
});

test('a ceiling (max_down) holds a link under it; the other link carries the rest', () => {
  const sim = new BondSim([{ name: 'capped', down: mbps(50, 20) }, { name: 'free', down: mbps(50, 20) }]);
  sim.server.bond.links[0]!.cc.ceiling = (10 * 1e6) / 8000; // 10 Mbit/s, as the server sets it from max_down
  sim.bulk(1, 1000, 8000);
  sim.run(8000);
  const [capped, free] = sim.server.bond.links.map((l) => (l.txBytes * 8) / 8000 / 1000);
  assert.ok(capped! < 10.5, `capped link ${capped!.toFixed(1)} Mbit/s, ceiling 10`);
  const g = sim.goodput(1, 3000, 8000);
  assert.ok(g > 0.9 * 60 * WIRE && free! > 40, `${g.toFixed(1)} Mbit/s in all, ${free!.toFixed(1)} on the free link`);
});

test('light traffic stays on the lowest-latency link', () => {
  const sim = new BondSim([{ name: 'near', down: mbps(50, 10) }, { name: 'far', down: mbps(50, 40) }]);
  sim.sparse(2, 1000, 6000, 10, 300);
  sim.run(6000);
  const [near, far] = sim.shapers.map((s) => s.down.stats.bytes);
  assert.ok(near! > 20 * far!, `near ${near} bytes, far ${far} (pings and acknowledgements only)`);
  const d = sim.delays(2, 2000, 6000);
  assert.ok(percentile(d, 99) < 15, `one-way delay p99 ${percentile(d, 99).toFixed(1)} ms over a 10 ms link`);
});

test('a ping does not wait behind a bulk download: the queue is fair per flow', () => {
  const sim = new BondSim([{ name: 'a', down: mbps(30, 15) }, { name: 'b', down: mbps(30, 15) }]);
  sim.bulk(1, 1000, 8000);
  sim.sparse(2, 1000, 8000, 20);
  sim.run(8000);
  const bulk = percentile(sim.delays(1, 3000, 8000), 50), ping = percentile(sim.delays(2, 3000, 8000), 95);
  assert.ok(ping < 15 + 20, `ping one-way p95 ${ping.toFixed(1)} ms; the bulk flow's median ${bulk.toFixed(1)} ms`);
  assert.ok(ping < bulk, 'the ping overtakes the bulk queue');
});

test('a link whose capacity drops stops getting packets within about a round trip', () => {
  const sim = new BondSim([{ name: 'a', down: mbps(40, 20) }, { name: 'b', down: mbps(40, 20) }]);
  sim.bulk(1, 1000, 9000);
  const a = sim.shapers[0]!.down;
  let atDrop = 0, after100 = 0;
  sim.clock.at(5000, () => ((a.settings.rateMbps = 4), (atDrop = a.stats.bytes)));
  sim.clock.at(5100, () => (after100 = a.stats.bytes));
  sim.run(9000);
  // what it was already sent drains for a while; what it is given from a round trip on is
  // about what it can carry now (4 Mbit/s = 500 bytes/ms), not what it carried before
  const rate = (a.stats.bytes - after100) / 3900;
  assert.ok(rate < 1.5 * 500, `link a accepted ${rate.toFixed(0)} bytes/ms after the drop`);
  // the drop shows in the acknowledgements a round trip (40 ms) later: at most two round
  // trips' worth at the old rate go to the link before it slows down
  assert.ok(after100 - atDrop < 40 * 125 * 80, `in the first 100 ms: ${after100 - atDrop} bytes`);
  const g = sim.goodput(1, 6000, 9000);
  assert.ok(g > 0.9 * 44 * WIRE, `${g.toFixed(1)} Mbit/s of the ${(44 * WIRE).toFixed(1)} left`);
});

test('a cut link: its packets in flight are re-sent on the other and the flow loses none', () => {
  const sim = new BondSim([{ name: 'a', down: mbps(40, 20) }, { name: 'b', down: mbps(40, 25) }]);
  const src = sim.cbr(1, 1000, 8000, 30);
  sim.clock.at(4000, () => sim.shapers[0]!.down.setDown(true));
  sim.run(9000);
  assert.equal(sim.server.bond.links[0]!.state, 'down');
  // none is lost in the network: the only ones missing are what CoDel dropped on purpose
  const missing = src.offered - sim.received(1);
  assert.equal(missing, sim.server.bond.send.queue.drops, `${missing} of ${src.offered} never arrived`);
  const gaps = [];
  for (let t = 4000; t < 6000; t += 100) gaps.push(sim.goodput(1, t, t + 100));
  assert.ok(gaps.filter((g) => g < 1).length <= 3, `100 ms intervals without data after the cut: ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
});

test('a lossy link: FEC and repair keep the loss from the flow', () => {
  const sim = new BondSim([{ name: 'lossy', down: mbps(40, 20, 1) }, { name: 'clean', down: mbps(40, 30) }]);
  const src = sim.cbr(1, 1000, 10000, 50);
  sim.run(11000);
  const missing = src.offered - sim.received(1) - sim.server.bond.send.queue.drops;
  assert.ok(missing <= src.offered * 0.0005, `${missing} of ${src.offered} lost in the network (1 % on the link)`);
  const lossy = sim.server.bond.links[0]!;
  assert.ok(lossy.fecK > 0, 'FEC turned on for the lossy link');
  assert.ok(sim.client.bond.links[0]!.fecRecovered > 50, `rebuilt from parity: ${sim.client.bond.links[0]!.fecRecovered}`);
  assert.equal(sim.server.bond.links[1]!.fecK, 0, 'not for the clean one');
  const d = sim.delays(1, 3000, 10000);
  assert.ok(percentile(d, 99) < 120, `one-way p99 ${percentile(d, 99).toFixed(0)} ms`);
});

test('LTE-like capacity traces: most of what they offer is used', () => {
  const trace = (name: string, delayMs: number) => ({ rateMbps: 0, trace: parseTrace(readFileSync(`${TRACES}${name}.trace`, 'utf8')), delayMs, lossPct: 0, queueBytes: 240_000 });
  const sim = new BondSim([{ name: 'a', down: trace('lte-a', 30) }, { name: 'b', down: trace('lte-b', 50) }]);
  sim.bulk(1, 1000, 16000);
  sim.run(16000);
  const g = sim.goodput(1, 3000, 16000);
  assert.ok(g > 0.7 * 40.1 * WIRE, `${g.toFixed(1)} Mbit/s of the traces' ${(40.1 * WIRE).toFixed(1)} on average`);
});
