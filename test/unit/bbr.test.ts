// A link's congestion control (src/link/bbr.ts) in simulated rounds, without sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bbr, type RateSample } from '../../src/link/bbr.js';

const MSS = 1500;

/**
 * One TCP flow in slow start through the link: each round it sends twice what was acknowledged
 * in the round before, as fast as the link's window lets it; the link (rate bytes/ms, RTT ms)
 * has no queue until the flow exceeds its bandwidth-delay product. Returns, per round, the flow's
 * window and the link's window when the round began.
 */
function slowStart(rtt: number, rate: number, rounds: number): { flow: number; link: number }[] {
  const cc = new Bbr(() => rtt);
  const out: { flow: number; link: number }[] = [];
  let flow = 10 * MSS;
  let delivered = 0;
  let now = 0;
  for (let r = 0; r < rounds; r++) {
    const link = cc.window();
    out.push({ flow, link });
    const sent = Math.min(flow, link);
    const start = delivered;
    const spread = sent / rate; // the packets leave at the link's rate
    for (let i = 1; i <= sent / MSS; i++) {
      const at = now + rtt + (i * MSS) / rate;
      const s: RateSample = {
        delivered: start + i * MSS, priorDelivered: start, rate: (i * MSS) / (rtt + (i * MSS) / rate),
        appLimited: flow < link, rtt, queue: 0, acked: MSS, inflight: sent - i * MSS,
      };
      delivered = s.delivered;
      cc.onAck(s, at);
    }
    now += rtt + spread;
    flow = 2 * sent;
  }
  return out;
}

test('in startup the link window stays ahead of a TCP flow doubling its window every round', () => {
  // 320 ms and 40 Mbit/s: a bandwidth-delay product of 1.6 MB, 7 rounds of doubling from 15 KB;
  // at 2 × BDP the flow's next burst would wait here, and HyStart would end its slow start
  for (const [rtt, mbps] of [[320, 40], [40, 50], [60, 20]] as const) {
    const rate = (mbps * 1e6) / 8000;
    const bdp = rate * rtt;
    const rounds = slowStart(rtt, rate, 12).filter((x) => x.flow < bdp / 2);
    assert.ok(rounds.length >= 3, `${rtt} ms ${mbps} Mbit/s: ${rounds.length} rounds below half the BDP`);
    for (const [i, x] of rounds.entries()) {
      assert.ok(x.link >= 1.25 * x.flow, `${rtt} ms ${mbps} Mbit/s, round ${i}: the flow wants ${x.flow} bytes, the link's window is ${Math.round(x.link)}`);
    }
  }
});
