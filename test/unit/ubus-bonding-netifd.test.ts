// WAN discovery through netifd. parseInterfaceStatus reads `network.interface.<name> status`
// replies: the recorded ones come from a real netifd (test/fixtures/openwrt/README.md; static
// protocol only, since netifd's dummy mode runs no DHCP or PPP); the DHCP, PPPoE, LTE and
// error shapes below are WRITTEN from netifd's documented format (openwrt-platform notes §4.2,
// netifd_dump_status), not recorded. NetifdResolver is tested against a netifd stand-in, a
// UbusClient that publishes network.interface(.<name>) and sends the recorded announcements,
// through MiniUbusd.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetifdResolver, parseInterfaceStatus } from '../../src/openwrt/netifd.js';
import { resolveLink, type LinkResolver, type ResolvedLink } from '../../src/device/client.js';
import type { LinkConfig } from '../../src/config/types.js';
import { UbusClient, type UbusObject } from '../../src/ubus/client.js';
import { MsgType } from '../../src/ubus/message.js';
import { blobmsgToTable, type UbusTable } from '../../src/ubus/value.js';
import { MiniUbusd } from './ubus-bonding-ubusd.js';
import { netifdFrame } from './ubus-bonding-helpers.js';
import { until } from '../lab/wait.js';

function recordedTable(label: string): UbusTable {
  return blobmsgToTable(netifdFrame(label).attrs.data ?? []);
}

const WAN_UP = () => recordedTable('status wan: up');
const WWAN_UP = () => recordedTable('status wwan: up');
const WAN_DOWN = () => recordedTable('status wan: down');

function link(name: string, more: Partial<LinkConfig> = {}): LinkConfig {
  return { name, line: 1, enabled: true, role: 'primary', ...more };
}

test('recorded netifd replies: up, up with ip4table, down, and the interface.update notification', () => {
  assert.deepEqual(parseInterfaceStatus('wan', WAN_UP()), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });
  // With ip4table the default route still has no `table` key in the status.
  assert.deepEqual(parseInterfaceStatus('wwan', WWAN_UP()), { device: 'wwan0', address: '100.64.1.2', gateway: '100.64.1.1' });
  assert.deepEqual(parseInterfaceStatus('wan', WAN_DOWN()), { device: 'eth1', why: 'interface wan is down' });
  const update = netifdFrame('notification interface.update');
  assert.equal(update.attrs.method, 'interface.update');
  assert.deepEqual(parseInterfaceStatus('wan', blobmsgToTable(update.attrs.data ?? [])), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });
});

test('written from the documented format (not recorded): DHCP, PPPoE, LTE without nexthop, routes in tables', () => {
  // The DHCP example of the notes, verbatim.
  const dhcp = { up: true, uptime: 5133, l3_device: 'eth1', proto: 'dhcp', device: 'eth1', metric: 0, 'ipv4-address': [{ address: '192.0.2.10', mask: 24 }], route: [{ target: '0.0.0.0', mask: 0, nexthop: '192.0.2.1', source: '192.0.2.10/32' }], 'dns-server': ['192.0.2.1'], data: { leasetime: 86400 } };
  assert.deepEqual(parseInterfaceStatus('wan', dhcp), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });

  // PPPoE: the L3 device is the ppp device, the address point-to-point.
  const pppoe = { up: true, pending: false, available: true, proto: 'pppoe', device: 'eth0.7', l3_device: 'pppoe-wan', 'ipv4-address': [{ address: '100.70.1.5', mask: 32, ptpaddress: '100.70.0.1' }], route: [{ target: '0.0.0.0', mask: 0, nexthop: '100.70.0.1', source: '0.0.0.0/0' }] };
  assert.deepEqual(parseInterfaceStatus('wan', pppoe), { device: 'pppoe-wan', address: '100.70.1.5', gateway: '100.70.0.1' });

  // LTE in a point-to-point mode: a default route without a usable nexthop is routed by device.
  const lte = { up: true, proto: 'qmi', l3_device: 'wwan0', 'ipv4-address': [{ address: '10.64.3.9', mask: 30 }], route: [{ target: '0.0.0.0', mask: 0, nexthop: '0.0.0.0', source: '10.64.3.9/32' }] };
  assert.deepEqual(parseInterfaceStatus('lte', lte), { device: 'wwan0', address: '10.64.3.9', gateway: undefined });
  assert.equal(parseInterfaceStatus('lte', { ...lte, route: [] }).gateway, undefined);

  // The route without a table key wins (network_get_gateway's rule); one only in a table still counts.
  const routes: UbusTable[] = [
    { target: '10.0.0.0', mask: 8, nexthop: '198.51.100.9' },
    { target: '0.0.0.0', mask: 0, nexthop: '198.51.100.254', table: 120 },
    { target: '0.0.0.0', mask: 0, nexthop: '198.51.100.1' },
  ];
  const tables: UbusTable = { up: true, l3_device: 'eth2', 'ipv4-address': [{ address: '198.51.100.2', mask: 24 }], route: routes };
  assert.equal(parseInterfaceStatus('wan2', tables).gateway, '198.51.100.1');
  assert.equal(parseInterfaceStatus('wan2', { ...tables, route: routes.slice(0, 2) }).gateway, '198.51.100.254');
});

test('written from the documented format (not recorded): why a WAN cannot be used', () => {
  assert.deepEqual(parseInterfaceStatus('wan', { up: false, pending: true, available: true, proto: 'dhcp', device: 'eth1' }), { device: 'eth1', why: 'interface wan is down (coming up)' });
  assert.equal(parseInterfaceStatus('wwan', { up: false, available: false, proto: 'qmi', errors: [{ subsystem: 'qmi', code: 'NO_DEVICE' }] }).why, 'interface wwan is down (NO_DEVICE)');
  assert.deepEqual(parseInterfaceStatus('wan6', { up: true, l3_device: 'eth1', 'ipv4-address': [], 'ipv6-address': [{ address: '2001:db8::2', mask: 64 }] }), { device: 'eth1', why: 'interface wan6 has no IPv4 address' });
  assert.deepEqual(parseInterfaceStatus('x', { up: true, 'ipv4-address': [{ address: '192.0.2.3', mask: 24 }] }), { why: 'interface x has no device' });
  // Every field is optional; wrong shapes are ignored, not fatal.
  assert.deepEqual(parseInterfaceStatus('odd', { up: true, l3_device: 'eth3', 'ipv4-address': 'x', route: 5 }), { device: 'eth3', why: 'interface odd has no IPv4 address' });
  assert.deepEqual(parseInterfaceStatus('odd', {}), { device: undefined, why: 'interface odd is down' });
});

// netifd as far as the resolver sees it: network.interface (which announces through
// notifications), one object per interface with `status`, and the network.interface event.
class Netifd {
  readonly statuses = new Map<string, UbusTable>();
  readonly calls: string[] = [];
  hang = false;
  // While set, status answers wait for release() with what they would have said when asked.
  holding = false;
  private readonly held: (() => void)[] = [];
  private iface: UbusObject | undefined;

  private constructor(readonly ubus: UbusClient) {}

  static async start(path: string, statuses: Record<string, UbusTable>): Promise<Netifd> {
    const n = new Netifd(await UbusClient.connect(path));
    n.iface = await n.ubus.addObject('network.interface', { dump: { handler: () => ({ interface: [] }) } });
    for (const [name, status] of Object.entries(statuses)) await n.publish(name, status);
    return n;
  }

  async publish(name: string, status: UbusTable): Promise<void> {
    this.statuses.set(name, status);
    await this.ubus.addObject(`network.interface.${name}`, {
      status: {
        handler: () => {
          this.calls.push(name);
          const now = this.statuses.get(name)!;
          if (this.hang) return new Promise<UbusTable>(() => undefined);
          if (this.holding) return new Promise<UbusTable>((resolve) => this.held.push(() => resolve(now)));
          return now;
        },
      },
    });
  }

  // The recorded order on ifdown/ifup: the event, then the notification.
  async announce(name: string, action: 'ifup' | 'ifdown' | null, notification: 'interface.update' | 'interface.down' | null, status: UbusTable): Promise<void> {
    this.statuses.set(name, status);
    if (action) await this.ubus.sendEvent('network.interface', { action, interface: name });
    if (notification) this.iface!.notify(notification, { interface: name, ...status });
  }

  get waiting(): number {
    return this.held.length;
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  close(): Promise<void> {
    return this.ubus.close();
  }
}

async function withNetifd(statuses: Record<string, UbusTable>, opts: ConstructorParameters<typeof NetifdResolver>[1] = {}) {
  const ubusd = await MiniUbusd.start();
  const netifd = await Netifd.start(ubusd.path, statuses);
  const bond = await UbusClient.connect(ubusd.path);
  const resolver = new NetifdResolver(bond, { maxAgeMs: 60_000, ...opts });
  const changes: string[] = [];
  resolver.onChange = (iface) => changes.push(iface);
  await resolver.watch();
  return {
    ubusd,
    netifd,
    bond,
    resolver,
    changes,
    async stop() {
      await resolver.close();
      await bond.close();
      await netifd.close();
      await ubusd.close();
    },
  };
}

test('the recorded event and notification shapes are what the stand-in sends', () => {
  const ev = netifdFrame('event network.interface: ifdown');
  assert.deepEqual([ev.type, ev.peer, ev.attrs.method, blobmsgToTable(ev.attrs.data ?? [])], [MsgType.INVOKE, 0, 'network.interface', { action: 'ifdown', interface: 'wan' }]);
  const down = netifdFrame('notification interface.down');
  assert.deepEqual([down.type, down.attrs.method, down.attrs.noReply], [MsgType.INVOKE, 'interface.down', true]);
  assert.deepEqual(blobmsgToTable(down.attrs.data ?? []), { interface: 'wan', ...WAN_DOWN() });
});

test('a link takes device, address and gateway from status; the answer is kept until netifd announces a change', async () => {
  const t = await withNetifd({ wan: WAN_UP() });
  assert.deepEqual(await t.resolver.resolve(link('dsl', { interface: 'wan' })), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });
  await t.resolver.resolve(link('dsl', { interface: 'wan' }));
  assert.deepEqual(t.netifd.calls, ['wan']);

  // ifdown: the event alone is enough.
  await t.netifd.announce('wan', 'ifdown', null, WAN_DOWN());
  await until('onChange', () => t.changes.length === 1);
  assert.deepEqual(t.changes, ['wan']);
  assert.deepEqual(await t.resolver.resolve(link('dsl', { interface: 'wan' })), { device: 'eth1', why: 'interface wan is down' });
  assert.equal(t.netifd.calls.length, 2);

  // ifup: event and notification, each a reason to look again (repeats are harmless).
  await t.netifd.announce('wan', 'ifup', 'interface.update', WAN_UP());
  await until('onChange', () => t.changes.length === 3);
  assert.deepEqual(await t.resolver.resolve(link('dsl', { interface: 'wan' })), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });
  await t.stop();
});

test('a status asked for before an announcement does not count as the state after it', async () => {
  const t = await withNetifd({ wan: WAN_UP() });
  t.netifd.holding = true;
  const early = t.resolver.resolve(link('dsl', { interface: 'wan' }));
  await until('the status call', () => t.netifd.waiting === 1);
  await t.netifd.announce('wan', 'ifdown', null, WAN_DOWN());
  await until('onChange', () => t.changes.length === 1);
  t.netifd.holding = false;
  // The client re-checks at once: a new question, not the answer still on its way.
  assert.equal((await t.resolver.resolve(link('dsl', { interface: 'wan' }))).why, 'interface wan is down');
  t.netifd.release();
  assert.equal((await early).address, '192.0.2.10');
  // The late answer does not replace the newer one.
  assert.equal((await t.resolver.resolve(link('dsl', { interface: 'wan' }))).why, 'interface wan is down');
  assert.deepEqual(t.netifd.calls, ['wan', 'wan']);
  await t.stop();
});

test('a DHCP renewal announced only by interface.update (no event) reaches the link', async () => {
  const t = await withNetifd({ wan: WAN_UP() });
  await t.resolver.resolve(link('dsl', { interface: 'wan' }));
  const renewed = { ...WAN_UP(), updated: ['addresses'], 'ipv4-address': [{ address: '192.0.2.77', mask: 24 }] };
  await t.netifd.announce('wan', null, 'interface.update', renewed);
  await until('onChange', () => t.changes.length === 1);
  assert.equal((await t.resolver.resolve(link('dsl', { interface: 'wan' }))).address, '192.0.2.77');
  await t.stop();
});

test('announcements about interfaces no link uses are ignored', async () => {
  const t = await withNetifd({ wan: WAN_UP(), lan: { up: true, l3_device: 'br-lan' } });
  await t.resolver.resolve(link('dsl', { interface: 'wan' }));
  await t.netifd.announce('lan', 'ifdown', 'interface.down', { up: false });
  // Deliveries from one sender keep their order: once wan's is here, lan's has been seen.
  await t.netifd.announce('wan', 'ifup', null, WAN_UP());
  await until('onChange', () => t.changes.length === 1);
  assert.deepEqual(t.changes, ['wan']);
  await t.stop();
});

test('an interface netifd does not have yet comes up when its object appears', async () => {
  const t = await withNetifd({ wan: WAN_UP() });
  assert.deepEqual(await t.resolver.resolve(link('lte1', { interface: 'wwan' })), { why: 'netifd has no interface wwan' });
  await t.netifd.publish('wwan', WWAN_UP());
  await until('onChange', () => t.changes.includes('wwan'));
  assert.deepEqual(await t.resolver.resolve(link('lte1', { interface: 'wwan' })), { device: 'wwan0', address: '100.64.1.2', gateway: '100.64.1.1' });
  await t.stop();
});

test('netifd starting after bondd: the resolver subscribes when network.interface appears', async () => {
  const ubusd = await MiniUbusd.start();
  const bond = await UbusClient.connect(ubusd.path);
  const resolver = new NetifdResolver(bond, { maxAgeMs: 60_000 });
  const changes: string[] = [];
  resolver.onChange = (iface) => changes.push(iface);
  await resolver.watch();
  assert.deepEqual(await resolver.resolve(link('dsl', { interface: 'wan' })), { why: 'netifd has no interface wan' });

  const netifd = await Netifd.start(ubusd.path, { wan: WAN_UP() });
  await until('a subscription', () => ubusd.sent(MsgType.SUBSCRIBE).length === 1);
  await until('onChange', () => changes.length >= 1);
  assert.equal((await resolver.resolve(link('dsl', { interface: 'wan' }))).address, '192.0.2.10');
  const before = changes.length;
  await netifd.announce('wan', null, 'interface.down', WAN_DOWN());
  await until('onChange by notification', () => changes.length > before);
  assert.equal((await resolver.resolve(link('dsl', { interface: 'wan' }))).why, 'interface wan is down');
  await resolver.close();
  await bond.close();
  await netifd.close();
  await ubusd.close();
});

test('while netifd does not answer, the last status stays in use; without one the link says why', async () => {
  const t = await withNetifd({ wan: WAN_UP() }, { maxAgeMs: 0, timeoutMs: 100 });
  assert.equal((await t.resolver.resolve(link('dsl', { interface: 'wan' }))).address, '192.0.2.10');
  t.netifd.hang = true;
  assert.deepEqual(await t.resolver.resolve(link('dsl', { interface: 'wan' })), { device: 'eth1', address: '192.0.2.10', gateway: '192.0.2.1' });
  const fresh = new NetifdResolver(t.bond, { timeoutMs: 100 });
  assert.deepEqual(await fresh.resolve(link('dsl', { interface: 'wan' })), { why: 'netifd does not answer about interface wan' });
  await t.stop();
});

test('links with option device go to the kernel resolver; fixed address and gateway win over netifd', async () => {
  const asked: LinkConfig[] = [];
  const fallback: LinkResolver = { resolve: async (cfg) => (asked.push(cfg), { device: cfg.device, address: '203.0.113.5' }) };
  const t = await withNetifd({ wan: WAN_UP() }, { fallback });
  assert.deepEqual(await t.resolver.resolve(link('cable', { device: 'eth9' })), { device: 'eth9', address: '203.0.113.5' });
  assert.deepEqual(asked.map((c) => c.name), ['cable']);
  assert.deepEqual(await resolveLink(t.resolver, link('dsl', { interface: 'wan', address: '192.0.2.11', gateway: '192.0.2.254' })), { device: 'eth1', address: '192.0.2.11', gateway: '192.0.2.254' });
  assert.deepEqual(t.netifd.calls, ['wan']);
  await t.stop();
});

test('fixed address and gateway apply to every resolver alike, and only to a usable link', async () => {
  let found: ResolvedLink = { device: 'eth9', address: '203.0.113.5', gateway: '203.0.113.1' };
  const resolver: LinkResolver = { resolve: async () => found };
  const fixed = link('cable', { device: 'eth9', address: '203.0.113.6', gateway: '203.0.113.254' });
  assert.deepEqual(await resolveLink(resolver, fixed), { device: 'eth9', address: '203.0.113.6', gateway: '203.0.113.254' });
  assert.deepEqual(await resolveLink(resolver, link('cable', { device: 'eth9', gateway: '203.0.113.254' })), { device: 'eth9', address: '203.0.113.5', gateway: '203.0.113.254' });
  found = { device: 'eth9', why: 'device eth9 has no IPv4 address' };
  assert.deepEqual(await resolveLink(resolver, fixed), found);
});
