// The bonded tunnel end to end, on real namespaces, routing, TUN devices and UDP: a client
// bondd on rt, a server bondd on vps, two emulated links between them. Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab, ADDR } from '../lab/topology.js';
import { LabBond } from '../lab/bond.js';
import { startServers, bulk, probe, goodput, firstLine } from '../lab/traffic/measure.js';
import { BONDD } from '../lab/paths.js';
import { until } from '../lab/wait.js';
import { needsRoot } from './skip.js';
import type { Status } from '../../src/status/status.js';

const skip = needsRoot({ nft: 'nftables' });
let lab: Lab;
let bond: LabBond;

before(async () => {
  if (skip) return;
  lab = await Lab.start([{ name: 'a', rateMbps: 20, delayMs: 10, lossPct: 0 }, { name: 'b', rateMbps: 20, delayMs: 15, lossPct: 0 }], { prefix: 'btun' });
  await startServers(lab);
  bond = await LabBond.start(lab);
  await bond.connected(15_000);
});
after(async () => {
  await bond?.stop();
  lab?.close();
});

const sh = (ns: string, ...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });

test('traffic flows both ways through the bond, faster than the best link alone, over IPv4 and IPv6', { skip }, async () => {
  const down = goodput(await bulk(lab, { dir: 'down', seconds: 4 }), 1);
  const up = goodput(await bulk(lab, { dir: 'up', seconds: 4 }), 1);
  // each link is 20 Mbit/s: one TCP flow at 25 or more is using both
  assert.ok(down > 25 && up > 25, `one TCP flow over 2 × 20 Mbit/s: down ${down.toFixed(1)}, up ${up.toFixed(1)} Mbit/s`);
  const p6 = await probe(lab, { host: ADDR.inet6, seconds: 1 });
  assert.ok(p6.rttMs.length > 0.8 * p6.sent, `IPv6 probes answered: ${p6.rttMs.length} of ${p6.sent}`);
  const down6 = goodput(await bulk(lab, { host: ADDR.inet6, seconds: 3 }), 1);
  assert.ok(down6 > 15, `IPv6 down ${down6.toFixed(1)} Mbit/s`);
});

test('hosts behind the router use their full MTU: TCP MSS is clamped, large UDP finds its path MTU', { skip }, async () => {
  const running = bulk(lab, { seconds: 2 });
  await sleep(700);
  const ss = execFileSync('ip', ['netns', 'exec', lab.ns.lan, 'ss', '-tin', 'dport', '=', '5201'], { encoding: 'utf8' });
  await running;
  const mss = Number(/ mss:(\d+)/.exec(ss)?.[1]);
  assert.ok(mss > 1000 && mss <= 1400 - 40, `lan's TCP MSS is ${mss}, bond0 MTU 1400`);
  // 1472 bytes of UDP fill the lan's 1500-byte MTU; the first ones learn the path MTU (ICMP)
  const p = await probe(lab, { size: 1472, seconds: 2, intervalMs: 50 });
  const answered = p.samples.slice(5).filter(([, rtt]) => rtt >= 0).length;
  assert.ok(answered >= 0.8 * (p.samples.length - 5), `large datagrams answered: ${answered} of ${p.samples.length - 5}`);
});

test('the status on the control socket shows both ends with live per-link numbers', { skip }, async () => {
  const running = bulk(lab, { seconds: 3 });
  await sleep(2000);
  const c = await bond.status('client');
  const s = await bond.status('server');
  await running;
  assert.equal(c.mode, 'client');
  assert.equal(c.state, 'connected');
  assert.equal(c.tunnel.address, '10.77.0.2/24');
  assert.equal(c.tunnel.peer_address, '10.77.0.1');
  assert.deepEqual(c.links.map((l) => [l.name, l.state, l.device, l.address]), [['a', 'up', 'wan1', '100.64.1.2'], ['b', 'up', 'wan2', '100.64.2.2']]);
  for (const l of c.links) {
    assert.ok(l.rx_bps > 1e6 && l.rtt_ms >= 20 && l.rtt_min_ms > 0 && l.est_capacity_down_bps > 1e6, `client link ${l.name}: ${JSON.stringify(l)}`);
  }
  assert.ok(c.totals.rx_bps > 10e6, `total ${c.totals.rx_bps}`);
  assert.equal(s.mode, 'server');
  assert.equal(s.peers?.length, 1);
  const peer = s.peers![0]!;
  assert.equal(peer.state, 'connected');
  assert.deepEqual(peer.links.map((l) => l.name), ['a', 'b'], 'the server learned the link names');
  assert.ok(peer.links.every((l) => l.tx_bps > 1e6), 'the server sends on both links');
  // the CLI reads the same socket
  const json = JSON.parse(execFileSync(process.execPath, [BONDD, 'status', '--json', '--control', bond.clientSock], { encoding: 'utf8' })) as Status;
  assert.equal(json.state, 'connected');
  const table = execFileSync(process.execPath, [BONDD, 'status', '--control', bond.clientSock], { encoding: 'utf8' });
  assert.match(table, /bond client: connected/);
  assert.match(table, /^\s+a\s+primary\s+up\s+wan1/m);
});

test('set_link takes a link out of use and back; bad calls get typed errors', { skip }, async () => {
  await bond.call('client', 'set_link', { name: 'b', enabled: false });
  await until('link b disabled', async () => (await bond.status('client')).links.find((l) => l.name === 'b')?.state === 'disabled');
  const p = await probe(lab, { seconds: 1 });
  assert.ok(p.lost <= 2, `traffic goes on over link a: ${p.lost} of ${p.sent} lost`);
  await bond.call('client', 'set_link', { name: 'b', enabled: true });
  await until('link b up again', async () => (await bond.status('client')).links.find((l) => l.name === 'b')?.state === 'up');
  await assert.rejects(bond.call('client', 'set_link', { name: 'nope', enabled: false }), { code: 'NOT_FOUND' });
  await assert.rejects(bond.call('client', 'set_link', { name: 'b' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(bond.call('client', 'nosuchmethod', {}), { code: 'METHOD_NOT_FOUND' });
});

test('policy routing: a table and a rule per link, and each link carries its own packets', { skip }, async () => {
  const rules = sh(lab.ns.rt, 'rule', 'show');
  assert.match(rules, /^5000:\s+from 100\.64\.1\.2 lookup 200 proto 77/m);
  assert.match(rules, /^5001:\s+from 100\.64\.2\.2 lookup 201 proto 77/m);
  assert.match(sh(lab.ns.rt, 'route', 'show', 'table', '200'), /default via 100\.64\.1\.1 dev wan1 proto 77/);
  assert.match(sh(lab.ns.rt, 'route', 'show', 'table', '201'), /default via 100\.64\.2\.1 dev wan2 proto 77/);
  assert.match(sh(lab.ns.rt, 'route', 'show'), /^0\.0\.0\.0\/1 dev bond0 proto 77/m);
  const before = (await lab.emu({ cmd: 'stats' })) as Record<string, { packets: number }>;
  await bulk(lab, { dir: 'up', seconds: 2 });
  const after = (await lab.emu({ cmd: 'stats' })) as Record<string, { packets: number }>;
  for (const tun of ['l1u', 'l2u']) assert.ok(after[tun]!.packets - before[tun]!.packets > 500, `${tun} carried ${after[tun]!.packets - before[tun]!.packets} packets`);
});

test('a link cut during a TCP transfer: out of use within a second, the connection survives on the other link, the link returns', { skip }, async () => {
  const running = bulk(lab, { seconds: 7 });
  await sleep(2500);
  await lab.cut(1);
  const cutAt = Date.now();
  await until('link a down', async () => (await bond.status('client')).links[0]!.state === 'down', 3000);
  const outOfUse = Date.now() - cutAt;
  assert.ok(outOfUse < 1000, `link a taken out of use ${outOfUse} ms after the cut`);
  const r = await running;
  await lab.restore(1);
  assert.deepEqual(r.errors, []);
  const tail = r.samplesMbps.slice(50, 70);
  const after = tail.reduce((a, b) => a + b, 0) / tail.length;
  assert.ok(after > 0.6 * 20, `after the cut ${after.toFixed(1)} Mbit/s on the remaining 20 Mbit/s link`);
  await until('link a back', async () => (await bond.status('client')).links.every((l) => l.state === 'up'), 15_000);
});

test('junk, replays and forged packets during a transfer are dropped; the transfer goes on', { skip }, async () => {
  const base = goodput(await bulk(lab, { seconds: 3 }), 1);
  const before = (await bond.status('server')).dropped;
  await lab.setLink(1, { duplicatePct: 5, corruptPct: 2 }, ['u']);
  const attacker = lab.node(lab.ns.wan, 'traffic/junk.js', ['--host', ADDR.vps, '--port', '7010', '--seconds', '3', '--rate', '3000']);
  const [r, sent] = await Promise.all([bulk(lab, { seconds: 3 }), firstLine(attacker, 'junk')]);
  await lab.setLink(1, { duplicatePct: 0, corruptPct: 0 }, ['u']);
  const attacked = goodput(r, 1);
  const s = await bond.status('server');
  assert.ok(attacked > 0.6 * base, `goodput ${attacked.toFixed(1)} under attack, ${base.toFixed(1)} before`);
  assert.ok(s.dropped.junk - before.junk > 1000, `junk dropped: ${s.dropped.junk - before.junk} of ${JSON.parse(sent).sent} sent`);
  assert.ok(s.dropped.replayed > before.replayed, 'replayed packets dropped');
  assert.ok(s.dropped.forged > before.forged, 'forged packets dropped');
  assert.ok(bond.serverLog.split('\n').length < 200, 'the log is not flooded');
  assert.equal(s.peers![0]!.state, 'connected');
});

test('SIGHUP with an invalid configuration keeps the tunnel running on the old one', { skip }, async () => {
  const good = readFileSync(bond.clientConf, 'utf8');
  writeFileSync(bond.clientConf, good.replace("option port '7010'", "option port 'seventy'"));
  bond.client.kill('SIGHUP');
  await until('the refusal in the log', async () => /reload refused/.test(bond.clientLog));
  assert.match(bond.clientLog, /client\.conf:\d+: error: .*port/);
  assert.equal((await bond.status('client')).state, 'connected');
  writeFileSync(bond.clientConf, good);
  bond.client.kill('SIGHUP');
  await until('the reload', async () => /configuration reloaded/.test(bond.clientLog));
});

test('the client reconnects by itself after the server restarts', { skip }, async () => {
  await bond.restartServer();
  await until('connected again', async () => (await bond.status('client')).state === 'connected' && (await bond.status('server')).peers?.[0]?.state === 'connected', 20_000);
  const p = await probe(lab, { seconds: 1 });
  assert.ok(p.lost <= 3, `after the restart: ${p.lost} of ${p.sent} probes lost`);
});

test('a link whose address changes gets a new socket and route; the server follows it', { skip }, async () => {
  sh(lab.ns.rt, 'addr', 'del', '100.64.1.2/24', 'dev', 'wan1');
  sh(lab.ns.rt, 'addr', 'add', '100.64.1.3/24', 'dev', 'wan1');
  try {
    await until('link a on its new address', async () => {
      const c = await bond.status('client');
      const a = c.links.find((l) => l.name === 'a');
      return a?.address === '100.64.1.3' && a.state === 'up';
    }, 15_000);
    assert.match(sh(lab.ns.rt, 'rule', 'show'), /from 100\.64\.1\.3 lookup 200/);
    await until('the server on the new endpoint', async () => (await bond.status('server')).peers?.[0]?.links.find((l) => l.name === 'a')?.address?.startsWith('100.64.1.3:'));
    await lab.cut(2);
    const p = await probe(lab, { seconds: 1 });
    await lab.restore(2);
    assert.ok(p.rttMs.length >= 0.7 * p.sent, `over link a alone: ${p.rttMs.length} of ${p.sent}`);
  } finally {
    sh(lab.ns.rt, 'addr', 'del', '100.64.1.3/24', 'dev', 'wan1');
    sh(lab.ns.rt, 'addr', 'add', '100.64.1.2/24', 'dev', 'wan1');
  }
  await until('link a back on its address', async () => (await bond.status('client')).links.find((l) => l.name === 'a')?.address === '100.64.1.2', 15_000);
});

test('tables that others use, by routes or only by rules, are left to them', { skip }, async () => {
  // as mwan3 or netifd would have them: table 200 with a route, table 201 with only a rule
  const rt = lab.ns.rt;
  await bond.stop();
  sh(rt, 'route', 'add', 'unreachable', '192.0.2.0/24', 'table', '200');
  sh(rt, 'rule', 'add', 'from', '192.0.2.99', 'lookup', '201', 'priority', '4000');
  try {
    bond = await LabBond.start(lab);
    await bond.connected(15_000);
    const rules = sh(rt, 'rule', 'show');
    assert.match(rules, /^5000:\s+from 100\.64\.1\.2 lookup 202 proto 77/m);
    assert.match(rules, /^5001:\s+from 100\.64\.2\.2 lookup 203 proto 77/m);
    assert.match(sh(rt, 'route', 'show', 'table', '200'), /unreachable 192\.0\.2\.0\/24/, 'the other table is untouched');
  } finally {
    sh(rt, 'route', 'del', 'unreachable', '192.0.2.0/24', 'table', '200');
    sh(rt, 'rule', 'del', 'priority', '4000');
  }
});

function leftovers(ns: string): string[] {
  const found: string[] = [];
  const rules = sh(ns, 'rule', 'show').split('\n').filter((l) => l.includes('proto 77'));
  if (rules.length) found.push(`rules: ${rules.join('; ')}`);
  const routes = sh(ns, 'route', 'show', 'table', 'all', 'proto', '77').trim();
  if (routes) found.push(`routes: ${routes}`);
  const tables = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { encoding: 'utf8' });
  if (/inet bond/.test(tables)) found.push('nft table inet bond');
  if (sh(ns, 'link', 'show').includes('bond0')) found.push('bond0');
  return found;
}

test('SIGTERM removes every rule, route, firewall table and device; so does a restart after kill -9', { skip }, async () => {
  await bond.stop();
  assert.deepEqual(leftovers(lab.ns.rt), []);
  assert.deepEqual(leftovers(lab.ns.vps), []);
  bond = await LabBond.start(lab);
  await bond.connected(15_000);
  bond.client.kill('SIGKILL');
  await new Promise((r) => bond.client.once('exit', r));
  assert.ok(leftovers(lab.ns.rt).some((x) => x.startsWith('rules')), 'kill -9 leaves the rules behind');
  await bond.restartClient();
  await bond.connected(15_000);
  await bond.stop();
  assert.deepEqual(leftovers(lab.ns.rt), []);
});
