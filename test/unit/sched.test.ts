// The schedulers as pure decisions over links (src/sched/), without sockets: roles and tiers,
// roundrobin, failover, redundant, and how adaptive treats secondary and backup links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Link, type LinkRole } from '../../src/link/link.js';
import { createScheduler, type Packet } from '../../src/sched/scheduler.js';
import type { SchedulerName } from '../../src/config/types.js';

const NOW = 1000;
const BULK: Packet = { size: 1400, urgent: false, backlog: 1400 };
const ACK: Packet = { size: 52, urgent: true, backlog: 52 };

/** A link that is up, with a measured round trip of `rttMs`. */
function link(id: number, role: LinkRole, rttMs: number): Link {
  const l = new Link(id, `l${id}`, role, 0);
  l.state = 'up';
  l.onPong(l.ping(NOW - rttMs), NOW);
  return l;
}

/** Makes a link refuse bulk packets, as when its window is full. */
const full = (l: Link) => (l.queued = 1e9);

function picks(name: SchedulerName, links: Link[], n: number, p = BULK): string[] {
  const s = createScheduler(name);
  const out: Link[] = [];
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = s.pick(links, p, NOW, out);
    seen.push(out.slice(0, k).map((l) => l.name).join('+') || '-');
  }
  return seen;
}

test('roundrobin: the primaries take turns, and one without room is skipped', () => {
  const links = [link(0, 'primary', 20), link(1, 'primary', 80), link(2, 'primary', 40)];
  assert.deepEqual(picks('roundrobin', links, 6), ['l0', 'l1', 'l2', 'l0', 'l1', 'l2']);
  full(links[1]!);
  assert.deepEqual(picks('roundrobin', links, 4), ['l0', 'l2', 'l0', 'l2']);
});

test('failover: one link at a time, the first primary; the next one when it goes down; backup last', () => {
  const links = [link(0, 'primary', 80), link(1, 'primary', 20), link(2, 'backup', 10)];
  assert.deepEqual(picks('failover', links, 3), ['l0', 'l0', 'l0'], 'the configuration order, not the fastest');
  links[0]!.state = 'down';
  assert.deepEqual(picks('failover', links, 2), ['l1', 'l1']);
  links[1]!.enabled = false;
  assert.deepEqual(picks('failover', links, 2), ['l2', 'l2'], 'backup only when no primary is usable');
  full(links[2]!);
  assert.deepEqual(picks('failover', links, 1), ['-'], 'a full link: the packet waits');
  assert.deepEqual(picks('failover', links, 1, ACK), ['l2'], 'an urgent packet does not wait');
});

test('redundant: every packet on the two links with the lowest delay', () => {
  const links = [link(0, 'primary', 80), link(1, 'primary', 20), link(2, 'primary', 40)];
  assert.deepEqual(picks('redundant', links, 2), ['l1+l2', 'l1+l2']);
  full(links[2]!);
  assert.deepEqual(picks('redundant', links, 1), ['l1'], 'the second copy only where there is room');
  links[1]!.state = 'down';
  assert.deepEqual(picks('redundant', links, 1), ['l0'], 'l2 is full, l0 is next');
});

test('adaptive: light traffic on the fastest primary; secondary only when the primaries are full; backup only when they are down', () => {
  const links = [link(0, 'primary', 40), link(1, 'secondary', 10), link(2, 'backup', 5)];
  assert.deepEqual(picks('adaptive', links, 2), ['l0', 'l0'], 'the faster secondary waits while the primary has room');
  full(links[0]!);
  assert.deepEqual(picks('adaptive', links, 1), ['l1']);
  full(links[1]!);
  assert.deepEqual(picks('adaptive', links, 1), ['-'], 'primaries and secondaries full: the packet waits, the backup stays idle');
  links[0]!.state = 'down';
  links[1]!.state = 'down';
  assert.deepEqual(picks('adaptive', links, 1), ['l2']);
});

test('urgent packets (pure ACKs) take the lowest-delay link in force, even when it is full', () => {
  const links = [link(0, 'primary', 60), link(1, 'primary', 15)];
  full(links[1]!);
  for (const name of ['adaptive', 'roundrobin'] as const) assert.deepEqual(picks(name, links, 1, ACK), ['l1'], name);
});
