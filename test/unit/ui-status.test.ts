// The status page's history of rates and its number formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { History, TOTAL } from '../../luci-app-bond/src/status/history.js';
import { formatDuration, formatMs, formatRate, niceCeiling } from '../../luci-app-bond/src/status/format.js';
import type { LinkStatus } from '../../src/status/status.js';

const link = (name: string, rx: number, tx: number) => ({ name, rx_bps: rx, tx_bps: tx }) as LinkStatus;

test('history keeps the window, per link and in total, and forgets gone links', () => {
  const h = new History(60);
  for (let t = 0; t <= 100; t++) h.add(t, { links: t < 30 ? [link('a', 1e6, 2e5), link('b', 3e6, 0)] : [link('a', 1e6, 2e5)], totals: { rx_bps: 4e6, tx_bps: 2e5, rx_bytes: 0, tx_bytes: 0 } });
  assert.deepEqual(h.names(), ['a']);
  const a = h.get('a');
  assert.ok(a[0]!.t <= 40 && a[1]!.t > 40, 'one sample before the window, the rest inside');
  assert.equal(h.get(TOTAL).at(-1)!.rx, 4e6);
  assert.equal(h.peak('tx'), 2e5);
  assert.equal(h.span(100), 60);
});

test('the drawn span grows from one minute to the window', () => {
  const h = new History(300);
  h.add(1000, { links: [], totals: { rx_bps: 0, tx_bps: 0, rx_bytes: 0, tx_bytes: 0 } });
  assert.equal(h.span(1005), 60);
  assert.equal(h.span(1000 + 150), 180);
  assert.equal(h.span(1000 + 1000), 300);
});

test('a late reply replaces the last sample instead of going back in time', () => {
  const h = new History(60);
  h.add(10, { links: [link('a', 1, 1)], totals: { rx_bps: 1, tx_bps: 1, rx_bytes: 0, tx_bytes: 0 } });
  h.add(9, { links: [link('a', 5, 5)], totals: { rx_bps: 5, tx_bps: 5, rx_bytes: 0, tx_bytes: 0 } });
  assert.equal(h.get('a').length, 1);
  assert.equal(h.get('a')[0]!.rx, 5);
});

test('formats', () => {
  assert.equal(formatRate(0), '0 bit/s');
  assert.equal(formatRate(999), '999 bit/s');
  assert.equal(formatRate(12_345), '12.3 kbit/s');
  assert.equal(formatRate(50e6), '50 Mbit/s');
  assert.equal(formatRate(250e6), '250 Mbit/s');
  assert.equal(formatRate(1.5e9), '1.5 Gbit/s');
  assert.equal(formatDuration(59), '59s');
  assert.equal(formatDuration(3725), '1h 2m');
  assert.equal(formatDuration(90061), '1d 1h 1m');
  assert.equal(formatMs(null), '–');
  assert.equal(formatMs(12.34), '12.3 ms');
  assert.equal(niceCeiling(0), 1e6);
  assert.equal(niceCeiling(31e6), 50e6);
  assert.equal(niceCeiling(1.2e6), 2e6);
});
