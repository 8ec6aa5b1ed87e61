// The two halves of a link's bookkeeping against each other: what the receiver acknowledges,
// the sender turns into deliveries, losses, RTT and rate samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SentPackets, type AckResult } from '../../src/link/sent.js';
import { LinkReceiver } from '../../src/link/receiver.js';
import type { AckEntry } from '../../src/wire/control.js';

const result = (): AckResult => ({ delivered: 0, priorDelivered: 0, rate: 0, appLimited: false, rtt: -1, queue: -1, acked: 0, inflight: 0, newlyAcked: 0, lost: 0 });
const entry = (): AckEntry => ({ link: 0, highest: 0, maskHi: 0, maskLo: 0, delayUs: 0, queueUs: 0 });

function pair() {
  const tx = new SentPackets();
  const rx = new LinkReceiver();
  const settled: [number, boolean][] = [];
  tx.onForget = (slot, delivered) => settled.push([slot, delivered]);
  return { tx, rx, settled };
}

test('acknowledged packets are delivered with an RTT and a rate sample', () => {
  const { tx, rx, settled } = pair();
  for (let i = 0; i < 10; i++) tx.send(1500, i, i); // one packet per ms
  for (let c = 0; c < 10; c++) rx.receive(c, 1500, 0, 20 + c);
  const e = entry();
  rx.ackEntry(0, 30, e);
  const r = tx.ack(e, 40, Infinity, 1000, result());
  assert.equal(r.newlyAcked, 10);
  assert.equal(r.lost, 0);
  assert.equal(tx.inflight, 0);
  assert.equal(r.acked, 15000);
  assert.ok(Math.abs(r.rtt - (40 - 9 - 1)) < 1e-9, `rtt ${r.rtt}: 40 - 9 sent, minus the 1 ms the receiver held the ACK`);
  assert.ok(r.rate > 0);
  assert.deepEqual(settled.map(([s]) => s), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a packet three behind the highest acknowledged is lost; nearer ones may still come', () => {
  const { tx, rx, settled } = pair();
  for (let i = 0; i < 8; i++) tx.send(1000, i, 0);
  for (const c of [0, 1, 3, 4, 5, 6, 7]) rx.receive(c, 1000, 0, 10); // 2 missing
  assert.ok(rx.gap, 'the receiver noticed the gap');
  const e = entry();
  rx.ackEntry(0, 10, e);
  const r = tx.ack(e, 20, Infinity, 1000, result());
  assert.equal(r.lost, 1);
  assert.deepEqual(settled.filter(([, d]) => !d), [[2, false]]);
  // packet 6 arrived, 7 not yet acknowledged: a newer packet reordered by one is not lost
  const { tx: tx2, rx: rx2 } = pair();
  for (let i = 0; i < 4; i++) tx2.send(1000, i, 0);
  for (const c of [0, 1, 3]) rx2.receive(c, 1000, 0, 10);
  const e2 = entry();
  rx2.ackEntry(0, 10, e2);
  assert.equal(tx2.ack(e2, 20, Infinity, 1000, result()).lost, 0);
});

test('a packet followed only by a later one (a ping) is lost once it is older than the loss delay', () => {
  const { tx, rx } = pair();
  tx.send(1000, 0, 0); // data, lost
  tx.send(60, -1, 50); // a ping, arrives
  rx.receive(1, 60, 0, 60);
  const e = entry();
  rx.ackEntry(0, 60, e);
  assert.equal(tx.ack(e, 62, 80, 1000, result()).lost, 0, 'younger than the loss delay: may still come');
  assert.equal(tx.ack(e, 90, 80, 1000, result()).lost, 1, 'then lost');
});

test('packets older than the acknowledgement window count as lost only when overdue', () => {
  const { tx, rx } = pair();
  for (let i = 0; i < 100; i++) tx.send(100, i, 0);
  rx.receive(99, 100, 0, 5); // only the newest arrived: 0..34 are beyond the 64-bit window
  const e = entry();
  rx.ackEntry(0, 5, e);
  assert.equal(tx.ack(e, 10, Infinity, 100, result()).lost, 64 - 3 + 1, 'inside the window: those 3+ behind are lost');
  assert.equal(tx.ack(e, 150, Infinity, 100, result()).lost, 35, 'outside it, lost once overdue');
});

test('a later acknowledgement can still show a packet counted lost arrived (FEC)', () => {
  const { tx, rx } = pair();
  for (let i = 0; i < 8; i++) tx.send(1000, i, 0);
  for (const c of [0, 1, 3, 4, 5, 6, 7]) rx.receive(c, 1000, 0, 10);
  rx.markReceived(2);
  const e = entry();
  rx.ackEntry(0, 10, e);
  assert.ok(tx.covers(e, 2));
  assert.ok(!tx.covers(e, 8));
  const missing: number[] = [];
  assert.equal(rx.missing(0, 8, missing, 4), 0);
});

test('the receiver measures one-way queueing and loss', () => {
  const rx = new LinkReceiver();
  // sender clock 1000 ms behind ours; the first packets see no queue, later ones 8 ms
  for (let c = 0; c < 40; c++) rx.receive(c, 1000, ((c - 1000) * 1000) >>> 0, c + (c >= 20 ? 8 : 0));
  const e = entry();
  rx.ackEntry(0, 50, e);
  assert.ok(Math.abs(e.queueUs - 8000) < 50, `queue ${e.queueUs} µs`);
  rx.tickLoss();
  for (let c = 40; c < 140; c++) if (c % 10) rx.receive(c, 1000, 0, 100);
  rx.tickLoss();
  assert.ok(rx.lossPct > 4 && rx.lossPct < 6, `10 % lost, smoothed: ${rx.lossPct}`);
});

test('counters beyond 2^32 are widened from the low 32 bits the acknowledgement carries', () => {
  const { tx, rx } = pair();
  tx.counter = 2 ** 32 - 2;
  for (let i = 0; i < 4; i++) tx.send(1000, i, 0);
  for (let c = 2 ** 32 - 2; c < 2 ** 32 + 2; c++) rx.receive(c, 1000, 0, 5);
  const e = entry();
  rx.ackEntry(0, 5, e);
  assert.equal(e.highest, 1);
  assert.equal(tx.ack(e, 10, Infinity, 1000, result()).newlyAcked, 4);
});
