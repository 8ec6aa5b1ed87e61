import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodelQueue, markCE, type Queued } from '../../src/queue/codel.js';

const out: Queued = { slot: 0, size: 0, lane: 0, urgent: false };

function ipv4(tos: number): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x45;
  b[1] = tos;
  b.writeUInt16BE(20, 2);
  b[8] = 64;
  b[9] = 17;
  b.writeUInt32BE(0x0a000001, 12);
  b.writeUInt32BE(0x0a000002, 16);
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += b.readUInt16BE(i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  b.writeUInt16BE(~s & 0xffff, 10);
  return b;
}

function checksumOk(b: Buffer): boolean {
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += b.readUInt16BE(i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s === 0xffff;
}

test('a queue that drains quickly never drops', () => {
  const dropped: number[] = [];
  const q = new CodelQueue(100, () => false, (s) => dropped.push(s));
  for (let t = 0; t < 1000; t++) {
    q.push(t, 1500, 0, false, t);
    assert.ok(q.peek(t + 4, out)); // each packet waits 4 ms: under the 5 ms target
    q.pop();
  }
  assert.equal(dropped.length, 0);
});

test('a standing queue above 5 ms for 100 ms starts dropping, more often over time', () => {
  const dropped: number[] = [];
  const q = new CodelQueue(10_000, () => false, (s) => dropped.push(s));
  let id = 0;
  // 2 packets in per ms, 1 out: sojourn grows
  for (let t = 0; t < 400; t++) {
    q.push(id++, 1500, 0, false, t);
    q.push(id++, 1500, 0, false, t);
    if (q.peek(t, out)) q.pop();
  }
  assert.ok(dropped.length > 0, 'dropped');
  const first = dropped.length;
  for (let t = 400; t < 800; t++) {
    q.push(id++, 1500, 0, false, t);
    q.push(id++, 1500, 0, false, t);
    if (q.peek(t, out)) q.pop();
  }
  assert.ok(dropped.length > 2 * first, `the drop rate rises (${first} then ${dropped.length})`);
});

test('ECN-capable packets are marked instead of dropped', () => {
  const marked: number[] = [];
  const q = new CodelQueue(10_000, (s) => (marked.push(s), true), () => assert.fail('no drop'));
  let id = 0;
  for (let t = 0; t < 300; t++) {
    q.push(id++, 1500, 0, false, t);
    q.push(id++, 1500, 0, false, t);
    if (q.peek(t, out)) q.pop();
  }
  assert.ok(marked.length > 0);
});

test('the hard limit refuses packets', () => {
  const q = new CodelQueue(2, () => false, () => {});
  assert.ok(q.push(1, 100, 0, false, 0));
  assert.ok(q.push(2, 100, 0, false, 0));
  assert.ok(!q.push(3, 100, 0, false, 0));
  assert.equal(q.overflows, 1);
});

test('markCE sets CE on ECT packets with a valid checksum, leaves others alone', () => {
  const ect = ipv4(0x02);
  assert.ok(markCE(ect, 0));
  assert.equal(ect[1]! & 3, 3);
  assert.ok(checksumOk(ect));
  const notEct = ipv4(0x00);
  assert.ok(!markCE(notEct, 0));
  assert.equal(notEct[1], 0);
  const v6 = Buffer.alloc(40);
  v6[0] = 0x60;
  v6[1] = 0x10; // traffic class low bits 01 = ECT(1)
  assert.ok(markCE(v6, 0));
  assert.equal((v6[1]! >> 4) & 3, 3);
});
