// One server, several routers: each client is known by its key, gets its own tunnel address,
// and the server sends each its own traffic. Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../lab/topology.js';
import { LabBond } from '../lab/bond.js';
import { startServers, probe } from '../lab/traffic/measure.js';
import { request } from '../../src/control/socket.js';
import { until } from '../lab/wait.js';
import { needsRoot } from './skip.js';
import type { Status } from '../../src/status/status.js';

const skip = needsRoot({ nft: 'nftables' });
let lab: Lab;
let bond: LabBond;

before(async () => {
  if (skip) return;
  lab = await Lab.start([{ name: 'a', rateMbps: 20, delayMs: 10, lossPct: 0 }], { prefix: 'bpeer', routers: 2 });
  await startServers(lab);
  bond = await LabBond.start(lab, { moreClients: true });
  await bond.connected(15_000);
});
after(async () => {
  await bond?.stop();
  lab?.close();
});

test('two routers on one server: each gets its address, and each its own traffic', { skip }, async () => {
  const x = bond.extra[0]!;
  // on a timeout the assertion below reports it, with the router's log
  const second = await until('the second router to connect', async () => {
    const s = (await request(x.sock, 'status')) as Status;
    return s.state === 'connected' && s;
  }).catch(() => undefined);
  assert.equal(second?.state, 'connected', x.log);
  assert.equal(second?.tunnel.address, '10.77.0.3/24');
  const s = await bond.status('server');
  assert.deepEqual(s.peers?.map((p) => [p.name, p.state, p.address]), [['lab', 'connected', '10.77.0.2'], ['more2', 'connected', '10.77.0.3']]);
  // both at once: the router behind each tunnel reaches the internet
  const [p1, p2] = await Promise.all([probe(lab, { seconds: 1 }), probe(lab, { seconds: 1, ns: x.ns })]);
  assert.ok(p1.rttMs.length >= 0.8 * p1.sent, `lan behind the first router: ${p1.rttMs.length}/${p1.sent}`);
  assert.ok(p2.rttMs.length >= 0.8 * p2.sent, `the second router: ${p2.rttMs.length}/${p2.sent}`);
  const peers = (await bond.status('server')).peers!;
  assert.ok(peers.every((p) => p.totals.rx_bytes > 0 && p.totals.tx_bytes > 0), 'traffic with both peers');
});
