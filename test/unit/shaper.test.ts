// The link emulator's model (test/lab/link/shaper.ts), driven by simulated time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Shaper, parseTrace, traceMbps } from '../lab/link/shaper.js';

function offer(s: Shaper<number>, from: number, to: number, everyMs: number, size: number): number[] {
  const delivered: number[] = [];
  let id = 0;
  for (let t = from; t < to; t += 0.05) {
    if (Math.abs(t / everyMs - Math.round(t / everyMs)) < 1e-6) s.enqueue(id++, size, t);
    for (const _ of s.due(t)) delivered.push(t);
  }
  return delivered;
}

test('fixed rate: a saturated link delivers at its rate after its delay', () => {
  const s = new Shaper<number>({ rateMbps: 12, delayMs: 30, lossPct: 0, queueBytes: 1e9 }, 1);
  const times = offer(s, 0, 2000, 0.5, 1500); // 24 Mbit/s offered
  assert.ok(Math.abs(times[0]! - 31) < 0.2, `first packet after delay + serialisation, got ${times[0]}`);
  const second = times.filter((t) => t >= 1000 && t < 2000).length;
  assert.ok(Math.abs(second - 1000) <= 2, `12 Mbit/s is 1000 packets/s, got ${second}`);
});

test('drop-tail: the queue never holds more than its limit', () => {
  const s = new Shaper<number>({ rateMbps: 12, delayMs: 0, lossPct: 0, queueBytes: 15000 }, 1);
  let accepted = 0;
  for (let i = 0; i < 100; i++) if (s.enqueue(i, 1500, 0)) accepted++;
  assert.equal(accepted, 10);
  assert.equal(s.stats.dropQueue, 90);
  assert.ok(s.backlogBytes(0) <= 15000);
});

test('random loss is close to the configured rate and repeatable for a seed', () => {
  const run = (seed: number) => {
    const s = new Shaper<number>({ rateMbps: 1000, delayMs: 0, lossPct: 2, queueBytes: 1e9 }, seed);
    for (let i = 0; i < 50000; i++) s.enqueue(i, 100, i);
    return s.stats.dropLoss;
  };
  const lost = run(7);
  assert.ok(lost > 850 && lost < 1150, `2 % of 50000 is 1000, got ${lost}`);
  assert.equal(run(7), lost);
});

test('down drops what is queued and in flight; up lets packets through again', () => {
  const s = new Shaper<number>({ rateMbps: 10, delayMs: 50, lossPct: 0, queueBytes: 1e9 }, 1);
  for (let i = 0; i < 10; i++) s.enqueue(i, 1500, 0);
  s.setDown(true);
  assert.equal(s.stats.dropDown, 10);
  assert.equal(s.enqueue(99, 1500, 1), false);
  assert.deepEqual(s.due(1000), []);
  s.setDown(false);
  assert.ok(s.enqueue(100, 1500, 1000));
  assert.deepEqual(s.due(1100), [100]);
});

test('trace: opportunities serve 1500 bytes each, unused ones are lost, the trace loops', () => {
  const trace = parseTrace('1\n1\n2\n10\n');
  assert.equal(trace.periodMs, 10);
  assert.ok(Math.abs(traceMbps(trace) - 4.8) < 1e-9);
  const s = new Shaper<number>({ rateMbps: 0, trace, delayMs: 5, lossPct: 0, queueBytes: 1e9 }, 1);
  for (let i = 0; i < 5; i++) s.enqueue(i, 1500, 0);
  const got: [number, number][] = [];
  for (let t = 0; t <= 30; t += 0.5) for (const id of s.due(t)) got.push([id, t]);
  // at 1 ms two packets, at 2 ms one, at 10 ms one, at 11 ms (next loop) one; then 5 ms of delay
  assert.deepEqual(got, [[0, 6], [1, 6], [2, 7], [3, 15], [4, 16]]);
  // the queue was empty from 11 ms on: the opportunities at 12 and 20 were lost
  s.enqueue(9, 1500, 25);
  assert.deepEqual(s.due(40), [9]);
  assert.equal(s.nextDue(), Infinity);
});

test('trace: small packets share an opportunity', () => {
  const s = new Shaper<number>({ rateMbps: 0, trace: parseTrace('5\n10\n'), delayMs: 0, lossPct: 0, queueBytes: 1e9 }, 1);
  for (let i = 0; i < 4; i++) s.enqueue(i, 500, 0);
  assert.deepEqual(s.due(5), [0, 1, 2]);
  assert.deepEqual(s.due(10), [3]);
});

test('parseTrace rejects what is not a Mahimahi trace', () => {
  assert.throws(() => parseTrace(''), /non-decreasing/);
  assert.throws(() => parseTrace('5\n3\n'), /non-decreasing/);
  assert.throws(() => parseTrace('a\n'), /non-decreasing/);
});
