// The dev UI's stand-in for the router's /ubus (luci-app-bond/dev): sessions and the
// package's ACL, bonding calls forwarded to a control socket, and rpcd's uci with staged
// changes, apply with rollback and confirm, on a temporary config directory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveControl } from '../../src/control/socket.js';
import { ApiError } from '../../src/control/api.js';
import { UbusStandIn, NULL_SESSION } from '../../luci-app-bond/dev/ubus.js';
import { UciRpc } from '../../luci-app-bond/dev/uci-rpc.js';
import { scanRequires } from '../../luci-app-bond/dev/luci/scan.js';
import { REPO } from '../lab/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'bond-ui-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'bonding'), "config bonding 'main'\n\toption mode 'client'\n\toption port '7010'\n\nconfig link 'wan'\n\toption interface 'wan'\n");
const sock = join(dir, 'bondd.sock');
const calls: [string, unknown][] = [];
const server = await serveControl(sock, {
  status: () => ({ state: 'connected', links: [] }),
  links: () => [],
  reload: async () => ({}),
  setLink: (name: string, enabled: boolean) => {
    calls.push(['set_link', { name, enabled }]);
    if (name !== 'wan') throw new ApiError('NOT_FOUND', `no link '${name}'`);
    return {};
  },
});
after(() => server.close());

const applied: string[][] = [];
const uci = new UciRpc(dir, (c) => applied.push(c));
after(() => uci.close());
const ubus = new UbusStandIn({
  control: sock,
  aclDir: join(REPO, 'luci-app-bond/root/usr/share/rpcd/acl.d'),
  users: { root: { password: 'pw', access: 'all' }, viewer: { password: 'pw', access: 'read' } },
  interfaces: [{ interface: 'wan', device: 'eth1', up: true }],
  uci,
});

let id = 0;
const call = async (sid: string, object: string, method: string, args: object = {}) =>
  (await ubus.handle({ jsonrpc: '2.0', id: ++id, method: 'call', params: [sid, object, method, args] })) as { result?: [number, Record<string, unknown>?]; error?: { code: number } };

async function login(user: string): Promise<string> {
  const r = await call(NULL_SESSION, 'session', 'login', { username: user, password: 'pw' });
  return r.result![1]!.ubus_rpc_session as string;
}

test('login: a wrong password is refused, the null session may do nothing else', async () => {
  assert.equal((await call(NULL_SESSION, 'session', 'login', { username: 'root', password: 'x' })).result![0], 6);
  assert.equal((await call(NULL_SESSION, 'bonding', 'status')).error!.code, -32002);
  assert.equal((await call('f'.repeat(32), 'bonding', 'status')).error!.code, -32002);
});

test('bonding methods reach the daemon; its errors come back as ubus statuses', async () => {
  const root = await login('root');
  assert.deepEqual((await call(root, 'bonding', 'status')).result, [0, { state: 'connected', links: [] }]);
  assert.deepEqual((await call(root, 'bonding', 'set_link', { name: 'wan', enabled: false })).result, [0, {}]);
  assert.deepEqual((await call(root, 'bonding', 'set_link', { name: 'nope', enabled: true })).result, [4]);
  assert.deepEqual((await call(root, 'bonding', 'frobnicate')).result, [3]);
  assert.deepEqual(calls.at(-2), ['set_link', { name: 'wan', enabled: false }]);
  assert.equal((await call(root, 'bonding', 'status', { ubus_rpc_session: root })).error!.code, -32602);
});

test('the read-only user gets what the ACL file reads: status, interfaces, uci get', async () => {
  const viewer = await login('viewer');
  assert.equal((await call(viewer, 'bonding', 'status')).result![0], 0);
  assert.equal((await call(viewer, 'network.interface', 'dump')).result![0], 0);
  assert.equal((await call(viewer, 'uci', 'get', { config: 'bonding' })).result![0], 0);
  assert.equal((await call(viewer, 'bonding', 'set_link', { name: 'wan', enabled: false })).error!.code, -32002);
  assert.equal((await call(viewer, 'bonding', 'reload')).error!.code, -32002);
  assert.equal((await call(viewer, 'uci', 'set', { config: 'bonding', section: 'main', values: { port: '1' } })).error!.code, -32002);
  assert.equal((await call(viewer, 'uci', 'get', { config: 'network' })).error!.code, -32002);
  assert.equal((await call(viewer, 'session', 'access', { scope: 'uci', object: 'bonding', function: 'write' })).result![1]!.access, false);
});

test('uci: staged per session, committed by apply, rolled back without confirm', async () => {
  const a = await login('root');
  const b = await login('root');
  const file = join(dir, 'bonding');
  const original = readFileSync(file, 'utf8');
  assert.equal((await call(a, 'uci', 'set', { config: 'bonding', section: 'main', values: { port: '7011' } })).result![0], 0);
  const added = await call(a, 'uci', 'add', { config: 'bonding', type: 'link', name: 'lte', values: { interface: 'wwan', max_down: '20' } });
  assert.deepEqual(added.result, [0, { section: 'lte' }]);
  const mine = (await call(a, 'uci', 'get', { config: 'bonding' })).result![1]!.values as Record<string, Record<string, unknown>>;
  assert.equal(mine.main!.port, '7011');
  assert.equal(mine.lte!.max_down, '20');
  const theirs = (await call(b, 'uci', 'get', { config: 'bonding' })).result![1]!.values as Record<string, Record<string, unknown>>;
  assert.equal(theirs.main!.port, '7010', 'another session does not see staged changes');
  assert.equal(readFileSync(file, 'utf8'), original, 'nothing written before apply');
  assert.deepEqual(Object.keys((await call(a, 'uci', 'changes')).result![1]!.changes as object), ['bonding']);

  assert.equal((await call(a, 'uci', 'apply', { rollback: true, timeout: 1 })).result![0], 0);
  assert.match(readFileSync(file, 'utf8'), /option port '7011'[\s\S]*config link 'lte'\n\toption interface 'wwan'\n\toption max_down '20'/);
  await sleep(1300);
  assert.equal(readFileSync(file, 'utf8'), original, 'rolled back: no confirm within the timeout');
  assert.deepEqual((await call(a, 'uci', 'confirm')).result, [5]);

  await call(a, 'uci', 'delete', { config: 'bonding', section: 'main', option: 'port' });
  assert.equal((await call(a, 'uci', 'apply', { rollback: true, timeout: 5 })).result![0], 0);
  assert.deepEqual((await call(a, 'uci', 'confirm')).result, [0]);
  assert.doesNotMatch(readFileSync(file, 'utf8'), /port/);
  assert.deepEqual((await call(a, 'uci', 'apply', { rollback: false })).result, [5], 'nothing staged');
  assert.ok(applied.length >= 3);
});

test("the built view starts with the 'require' prologue LuCI's loader reads", () => {
  const source = readFileSync(join(REPO, 'luci-app-bond/htdocs/luci-static/resources/view/bonding/overview.js'), 'utf8');
  assert.deepEqual(scanRequires(source).map((r) => r.name), ['view', 'rpc', 'poll', 'uci', 'ui']);
  assert.match(source.trimEnd().split('\n').at(-1)!, /^return BondView\.create\(/);
  // evaluated as luci.js does, it returns what view.extend returned
  const factory = new Function('window', 'document', 'L', 'view', 'rpc', 'poll', 'uci', 'ui', source);
  const marker = { extended: true };
  let members: Record<string, unknown> = {};
  const view = { extend: (m: Record<string, unknown>) => ((members = m), marker) };
  const got = factory({ E: () => null, _: (s: string) => s }, {}, { env: {} }, view, { declare: () => () => Promise.resolve() }, {}, {}, {});
  assert.equal(got, marker);
  for (const m of ['load', 'render', 'handleSave', 'handleSaveApply', 'handleReset']) assert.equal(typeof members[m], 'function', m);
});
