import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markCE } from '../../src/queue/codel.js';
import { FlowQueue, type Queued } from '../../src/queue/fq.js';

const out: Queued = { slot: 0, size: 0, lane: 0, urgent: false, backlog: 0 };

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

/** Offers `inPerMs` packets per ms on lane 0 and takes `outPerMs`; returns dropped slots. */
function run(q: FlowQueue, from: number, to: number, inPerMs: number, outPerMs: number, dropped: number[], id = { n: 0 }) {
  for (let t = from; t < to; t++) {
    for (let k = 0; k < inPerMs; k++) q.push(id.n++, 1500, 0, false, t);
    for (let k = 0; k < outPerMs; k++) if (q.peek(t, out)) q.pop();
  }
  return dropped;
}

test('a queue that drains quickly never drops', () => {
  const dropped: number[] = [];
  const q = new FlowQueue(1000, () => false, (s) => dropped.push(s));
  for (let t = 0; t < 1000; t++) {
    q.push(t, 1500, 0, false, t);
    assert.ok(q.peek(t + 4, out)); // each packet waits 4 ms: under the 5 ms target
    q.pop();
  }
  assert.equal(dropped.length, 0);
});

test('a standing queue above target for 100 ms starts dropping, more often over time', () => {
  const dropped: number[] = [];
  const q = new FlowQueue(100_000, () => false, (s) => dropped.push(s));
  const id = { n: 0 };
  run(q, 0, 400, 2, 1, dropped, id);
  assert.ok(dropped.length > 0, 'dropped');
  const first = dropped.length;
  run(q, 400, 800, 2, 1, dropped, id);
  assert.ok(dropped.length > 2 * first, `the drop rate rises (${first} then ${dropped.length})`);
});

test('ECN-capable packets are marked instead of dropped', () => {
  const marked: number[] = [];
  const q = new FlowQueue(100_000, (s) => (marked.push(s), true), () => assert.fail('no drop'));
  run(q, 0, 300, 2, 1, []);
  assert.ok(marked.length > 0);
});

test('lanes take turns: a sparse flow does not wait behind a bulk flow', () => {
  const q = new FlowQueue(10_000, () => false, () => {});
  for (let i = 0; i < 1000; i++) q.push(i, 1500, 3, false, 0); // a bulk backlog on lane 3
  q.push(9999, 100, 7, false, 1); // a ping on lane 7
  const order: number[] = [];
  for (let k = 0; k < 3; k++) {
    assert.ok(q.peek(2, out));
    order.push(out.slot);
    q.pop();
  }
  assert.ok(order.includes(9999), `the ping went within the first packets: ${order}`);
});

test('two bulk lanes share equally by bytes', () => {
  const q = new FlowQueue(10_000, () => false, () => {});
  for (let i = 0; i < 500; i++) {
    q.push(i, 1500, 1, false, 0);
    q.push(1000 + i, 500, 2, false, 0);
  }
  const bytes = [0, 0, 0];
  for (let k = 0; k < 400; k++) {
    assert.ok(q.peek(1, out));
    bytes[out.lane]! += out.size;
    q.pop();
  }
  assert.ok(Math.abs(bytes[1]! - bytes[2]!) <= 3000, `bytes per lane ${bytes}`);
});

test('urgent packets go first; peek is stable until pop', () => {
  const q = new FlowQueue(100, () => false, () => {});
  q.push(1, 1500, 5, false, 0);
  q.push(2, 60, 9, true, 0);
  assert.equal(q.peek(0, out)?.slot, 2);
  assert.equal(q.peek(0, out)?.slot, 2);
  q.pop();
  assert.equal(q.peek(0, out)?.slot, 1);
  q.pop();
  assert.equal(q.peek(0, out), null);
  assert.equal(q.length, 0);
});

test('a full queue drops from the longest lane', () => {
  const dropped: number[] = [];
  const q = new FlowQueue(4, () => false, (s) => dropped.push(s));
  q.push(1, 1500, 1, false, 0);
  q.push(2, 1500, 1, false, 0);
  q.push(3, 1500, 1, false, 0);
  q.push(4, 100, 2, false, 0);
  assert.ok(q.push(5, 100, 3, false, 0));
  assert.deepEqual(dropped, [1]);
  assert.equal(q.length, 4);
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

test('a lane keeps its order while its ring grows past a wrap, up to the queue capacity', () => {
  const q = new FlowQueue(4096, () => false, () => assert.fail('nothing is dropped'));
  q.target = 1e9; // no CoDel here: only the ring
  const out: Queued = { slot: 0, size: 0, lane: 0, urgent: false, backlog: 0 };
  const popped: number[] = [];
  const popN = (n: number) => {
    for (let k = 0; k < n && q.peek(0, out); k++) popped.push(out.slot), q.pop();
  };
  let next = 0;
  for (; next < 40; next++) assert.ok(q.push(next, 100, 3, false, 0));
  popN(30); // the ring's head is now well inside it
  for (; next < 3000; next++) assert.ok(q.push(next, 100, 3, false, 0));
  popN(Infinity);
  assert.deepEqual(popped, Array.from({ length: 3000 }, (_, i) => i));
  for (let i = 0; i < 4096; i++) assert.ok(q.push(i, 100, 5, false, 0));
  assert.equal(q.length, 4096);
});
