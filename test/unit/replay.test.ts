import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayWindow, unwrap32 } from '../../src/wire/replay.js';

test('accepts each counter once, in any order within the window', () => {
  const w = new ReplayWindow();
  for (const c of [0, 1, 5, 3, 2, 4, 100, 99, 50]) assert.ok(w.accept(c), `first ${c}`);
  for (const c of [0, 1, 5, 3, 2, 4, 100, 99, 50]) assert.ok(!w.accept(c), `replayed ${c}`);
  assert.ok(w.check(6));
  assert.equal(w.highest, 100);
});

test('rejects counters that fell out of the window, keeps the window exact when it slides far', () => {
  const w = new ReplayWindow();
  w.accept(10);
  w.accept(10_000);
  assert.ok(!w.check(10_000 - 4096), 'just outside');
  assert.ok(w.check(10_000 - 4095), 'just inside, never seen');
  assert.ok(w.accept(10_000 - 4095));
  assert.ok(!w.check(10), 'far too old');
  // slide by less than a window: bits of counters still inside must survive, old ones cleared
  for (let c = 10_001; c < 10_040; c++) w.accept(c);
  w.accept(12_000);
  assert.ok(!w.check(10_020), 'seen and still inside');
  assert.ok(w.check(11_000), 'unseen inside after sliding');
});

test('check does not change the window (forged packets cannot move it)', () => {
  const w = new ReplayWindow();
  w.accept(5);
  assert.ok(w.check(1_000_000));
  assert.ok(w.check(4), 'window did not move');
  assert.equal(w.highest, 5);
});

test('a long random sequence: every counter accepted exactly once', () => {
  const w = new ReplayWindow();
  const seen = new Set<number>();
  let base = 0;
  for (let i = 0; i < 100_000; i++) {
    base += Math.random() < 0.5 ? 1 : 0;
    const c = Math.max(0, base - Math.floor(Math.random() * 200));
    const fresh = !seen.has(c) && c > w.highest - 4096;
    assert.equal(w.accept(c), fresh, `counter ${c}`);
    seen.add(c);
  }
});

test('counters beyond 2^32 work the same', () => {
  const w = new ReplayWindow();
  const big = 2 ** 32 + 10;
  assert.ok(w.accept(big));
  assert.ok(w.accept(big - 20));
  assert.ok(!w.accept(big - 20));
  assert.ok(w.check(big - 19));
  assert.ok(!w.check(big - 5000));
});

test('the bond-wide sequence is 32 bits on the wire: unwrapped, the duplicate filter goes on across 2^32', () => {
  const w = new ReplayWindow();
  const sent = [];
  for (let s = 2 ** 32 - 5; s < 2 ** 32 + 5; s++) sent.push(s % 2 ** 32);
  // a little reordering around the wrap, then every packet again (duplicates)
  [sent[1], sent[6]] = [sent[6]!, sent[1]!];
  const accepted = sent.map((low) => w.accept(unwrap32(low, w.highest)));
  assert.deepEqual(accepted, sent.map(() => true));
  assert.equal(w.highest, 2 ** 32 + 4);
  assert.deepEqual(sent.map((low) => w.accept(unwrap32(low, w.highest))), sent.map(() => false));
  assert.equal(unwrap32(7, -1), 7, 'the first one is taken as it is');
});
