// The lab's link emulator, measured through real namespaces, routing and TCP: the figures
// the bond's benchmarks rest on. Needs root (network namespaces, TUN).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../lab/topology.js';
import { startServers, bulk, probe, goodput, median } from '../lab/traffic/measure.js';
import { needsRoot } from './skip.js';

let lab: Lab;
const skip = needsRoot();

before(async () => {
  if (skip) return;
  lab = await Lab.start(
    [
      { name: 'fast', rateMbps: 30, delayMs: 15, lossPct: 0 },
      { name: 'lossy', rateMbps: 10, delayMs: 40, lossPct: 2 },
      { name: 'asym', rateMbps: 8, delayMs: 5, lossPct: 0, up: { rateMbps: 4 } },
    ],
    { prefix: 'blt' },
  );
  await startServers(lab);
});
after(() => lab?.close());

// TCP goodput on an IP link is the rate times 1448/1500 (IP and TCP headers with timestamps)
const tcpShare = 1448 / 1500;

test('configured rate is within 10 % of measured TCP goodput, both directions', { skip }, async () => {
  for (const [i, down, up] of [[1, 30, 30], [3, 8, 4]] as const) {
    lab.useLinkAlone(i);
    for (const [dir, rate] of [['down', down], ['up', up]] as const) {
      const got = goodput(await bulk(lab, { dir, seconds: 6 }));
      const want = rate * tcpShare;
      assert.ok(Math.abs(got - want) <= 0.1 * want, `link ${i} ${dir}: ${got.toFixed(2)} Mbit/s, configured ${rate}`);
    }
  }
});

test('configured RTT is within 2 ms at idle', { skip }, async () => {
  for (const [i, delay] of [[1, 15], [2, 40], [3, 5]] as const) {
    lab.useLinkAlone(i);
    const p = await probe(lab, { seconds: 2, intervalMs: 20 });
    const rtt = median(p.rttMs);
    assert.ok(Math.abs(rtt - 2 * delay) <= 2, `link ${i}: median RTT ${rtt.toFixed(2)} ms, configured ${2 * delay}`);
  }
});

test('random loss is near the configured rate', { skip }, async () => {
  lab.useLinkAlone(2);
  const p = await probe(lab, { seconds: 6, intervalMs: 4 });
  // 2 % each way: 1 - 0.98² = 3.96 % of round trips; 1500 probes leave room for chance
  const pct = (100 * p.lost) / p.sent;
  assert.ok(pct > 2 && pct < 6.5, `lost ${pct.toFixed(2)} % of ${p.sent} probes, expected about 3.96 %`);
});

test('down and up take effect within 50 ms', { skip }, async () => {
  lab.useLinkAlone(3);
  const running = probe(lab, { seconds: 1.6, intervalMs: 2 });
  await sleep(500);
  const cutAt = performance.timeOrigin + performance.now();
  await lab.cut(3);
  await sleep(500);
  const restoreAt = performance.timeOrigin + performance.now();
  await lab.restore(3);
  const p = await running;
  const answeredWhileDown = p.samples.filter(([t, rtt]) => t > cutAt + 50 && t < restoreAt && rtt >= 0);
  const lostAfterUp = p.samples.filter(([t, rtt]) => t > restoreAt + 50 && rtt < 0);
  const lostBefore = p.samples.filter(([t, rtt]) => t < cutAt - 50 && rtt < 0);
  assert.equal(answeredWhileDown.length, 0, 'probes sent 50 ms after the cut must be lost');
  assert.equal(lostAfterUp.length, 0, 'probes sent 50 ms after restoring must come back');
  assert.equal(lostBefore.length, 0, 'probes before the cut must come back');
  assert.ok(p.samples.filter(([t]) => t > restoreAt + 50).length > 100, 'the probe kept running after the link came back');
});
