import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReorderBuffer } from '../../src/reorder/buffer.js';
import { laneOf, isPureAck, LANES } from '../../src/reorder/lanes.js';

function buffer() {
  const out: [number, boolean][] = [];
  const freed: number[] = [];
  const r = new ReorderBuffer((s, late) => out.push([s, late]), (s) => freed.push(s));
  return { r, out, freed, released: () => out.map(([s]) => s) };
}

test('in-order packets pass straight through', () => {
  const { r, released } = buffer();
  for (let i = 0; i < 5; i++) r.push(0, 100 + i, i, 0);
  assert.deepEqual(released(), [0, 1, 2, 3, 4]);
  assert.equal(r.waiting, 0);
});

test('a hole holds its lane until filled; other lanes are not held', () => {
  const { r, released } = buffer();
  r.push(1, 0, 10, 0);
  r.push(1, 2, 12, 1); // hole at 1
  r.push(1, 3, 13, 2);
  r.push(2, 0, 20, 3); // another lane flows
  assert.deepEqual(released(), [10, 20]);
  assert.equal(r.waiting, 2);
  r.push(1, 1, 11, 4);
  assert.deepEqual(released(), [10, 20, 11, 12, 13]);
  assert.equal(r.waiting, 0);
  assert.deepEqual(r.stats.holdsMs, [3]);
});

test('a hole is given up after the hold time; the missing packet is late when it comes', () => {
  const { r, out } = buffer();
  r.holdMs = 20;
  r.push(0, 0, 1, 0);
  r.push(0, 2, 3, 5); // hole at 1 since t=5
  assert.equal(r.expire(10), 25);
  assert.equal(r.expire(25), Infinity);
  assert.deepEqual(out, [[1, false], [3, false]]);
  assert.equal(r.stats.timeouts, 1);
  r.push(0, 1, 2, 30);
  assert.deepEqual(out[2], [2, true]);
  assert.equal(r.stats.releasedLate, 1);
});

test('after a timeout, the next hole counts from when the packet behind it arrived', () => {
  const { r, released } = buffer();
  r.holdMs = 20;
  r.push(0, 0, 0, 0);
  r.push(0, 2, 2, 1); // hole at 1
  r.push(0, 5, 5, 8); // hole at 3-4
  r.expire(21); // passes hole 1, releases 2; hole 3 started at 8
  assert.deepEqual(released(), [0, 2]);
  assert.equal(r.expire(22), 28);
  r.expire(28);
  assert.deepEqual(released(), [0, 2, 5]);
});

test('skip releases the lane past a packet the sender gave up on', () => {
  const { r, released } = buffer();
  r.push(3, 0, 0, 0);
  r.push(3, 2, 2, 0);
  r.push(3, 4, 4, 0);
  r.skip(3, 3, 1); // not yet the head: remembered
  assert.deepEqual(released(), [0]);
  r.skip(3, 1, 2);
  assert.deepEqual(released(), [0, 2, 4]);
  assert.equal(r.waiting, 0);
  assert.equal(r.stats.skipped, 2);
});

test('a duplicate of a waiting packet is freed, not released twice', () => {
  const { r, released, freed } = buffer();
  r.push(0, 0, 0, 0);
  r.push(0, 2, 2, 0);
  r.push(0, 2, 99, 0);
  assert.deepEqual(freed, [99]);
  r.push(0, 1, 1, 0);
  assert.deepEqual(released(), [0, 1, 2]);
});

test('sequence numbers wrap at 2^32', () => {
  const { r, released } = buffer();
  const top = 0xffffffff;
  r.push(0, top - 1, 1, 0);
  r.push(0, 0, 3, 0); // after top
  r.push(0, top, 2, 0);
  assert.deepEqual(released(), [1, 2, 3]);
});

test('a packet far ahead gives up on the hole at once', () => {
  const { r, released } = buffer();
  r.push(0, 0, 0, 0);
  r.push(0, 2, 2, 0);
  r.push(0, 10_000, 7, 0);
  assert.deepEqual(released(), [0, 2, 7]);
  assert.equal(r.waiting, 0);
});

test('after a packet far ahead the lane has no hole left: expiry finds nothing to pass over', () => {
  const { r, released } = buffer();
  r.push(0, 0, 0, 0);
  r.push(0, 2, 2, 0);
  r.push(0, 10_000, 7, 5);
  assert.equal(r.expire(1000), Infinity);
  assert.equal(r.stats.timeouts, 0);
  assert.deepEqual(r.stats.holdsMs, [5], 'one hole, held 5 ms');
  r.push(0, 10_001, 8, 1000);
  assert.deepEqual(released(), [0, 2, 7, 8]);
});

test('clear frees what waits', () => {
  const { r, freed } = buffer();
  r.push(0, 0, 0, 0);
  r.push(0, 5, 5, 0);
  r.push(1, 0, 10, 0);
  r.push(1, 3, 13, 0);
  r.skip(1, 2, 0);
  r.clear();
  assert.deepEqual(freed.sort((a, b) => a - b), [5, 13]);
  assert.equal(r.waiting, 0);
});

function ipv4Tcp(src: number, dst: number, sport: number, dport: number, flags: number, payload: number): Buffer {
  const b = Buffer.alloc(40 + payload);
  b[0] = 0x45;
  b.writeUInt16BE(40 + payload, 2);
  b[9] = 6;
  b.writeUInt32BE(src, 12);
  b.writeUInt32BE(dst, 16);
  b.writeUInt16BE(sport, 20);
  b.writeUInt16BE(dport, 22);
  b[32] = 5 << 4;
  b[33] = flags;
  return b;
}

test('lanes: one flow, one lane; flows spread over lanes', () => {
  const a = ipv4Tcp(1, 2, 1000, 80, 0x18, 100);
  assert.equal(laneOf(a, 0, a.length), laneOf(ipv4Tcp(1, 2, 1000, 80, 0x10, 0), 0, 40));
  const used = new Set<number>();
  for (let p = 0; p < 1000; p++) used.add(laneOf(ipv4Tcp(1, 2, 1000 + p, 80, 0x10, 0), 0, 40));
  assert.ok(used.size > LANES * 0.9, `1000 flows use ${used.size} of ${LANES} lanes`);
});

test('pure ACKs are recognised; data, SYN and FIN are not', () => {
  assert.ok(isPureAck(ipv4Tcp(1, 2, 3, 4, 0x10, 0), 0, 40));
  assert.ok(!isPureAck(ipv4Tcp(1, 2, 3, 4, 0x10, 10), 0, 50));
  assert.ok(!isPureAck(ipv4Tcp(1, 2, 3, 4, 0x12, 0), 0, 40));
  assert.ok(!isPureAck(ipv4Tcp(1, 2, 3, 4, 0x11, 0), 0, 40));
});
