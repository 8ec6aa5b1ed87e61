// The client (the router): one bond to the server, one UDP socket per WAN link bound to the
// link's address, policy routing per link, the TUN device with the address the server hands
// out, and the tunnel as default route.
//
// Lifecycle: links are resolved (device, address, gateway) and routed; an init goes out on
// every ready link until a response comes; then the bond carries traffic. A rekey runs every
// REKEY_MS; if nothing authenticated arrives for DEAD_MS (server restarted, all links down)
// the client handshakes again on its own, and a link whose address changes (DHCP, PPPoE) gets
// a new socket and route within LINK_CHECK_MS.
import { lookup as dnsLookup } from 'node:dns/promises';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { Device } from './device.js';
import { Bond } from './bond.js';
import { Session } from './session.js';
import { UdpSocket } from '../conn/udp.js';
import { encodeEndpoint, formatEndpoint } from '../conn/endpoint.js';
import { presharedKey, createInit, openResponse, type PendingInit, type PresharedKey } from '../wire/handshake.js';
import { TYPE_RESPONSE } from '../wire/packet.js';
import { addLinkRoute, removeLinkRoute, tunnelDefault, removeAll, RULE_BASE, TABLE_BASE, type LinkRoute } from '../sys/routing.js';
import { deviceAddress, deviceGateway, ipBatch, usedTables } from '../sys/ip.js';
import { applyFirewall, removeFirewall } from '../sys/nat.js';
import type { OutBatch, Wire } from './out.js';
import type { Link } from '../link/link.js';
import type { ClientConfig, LinkConfig } from '../config/types.js';
import type { Log } from '../log.js';
import type { LinkAnnouncement } from '../wire/control.js';

const REKEY_MS = 120_000;
const DEAD_MS = 5_000;
const HANDSHAKE_RETRY_MS = 1_000;
const OLD_SESSION_MS = 30_000;
const LINK_CHECK_MS = 1_000;
const ANNOUNCE_MS = 10_000;

export interface TunnelSettings {
  address: string; // CIDR
  peer: string;
  mtu: number;
  address6?: string;
  peer6?: string;
}

/** A link's device, IPv4 address and gateway, or why it cannot be used. */
export interface ResolvedLink {
  device?: string;
  address?: string;
  gateway?: string;
  why?: string;
}

/** Finds a link's device, address and gateway (netifd on OpenWrt; the kernel elsewhere). */
export interface LinkResolver {
  resolve(cfg: LinkConfig): Promise<ResolvedLink>;
}

/**
 * What the client uses of a resolver's answer: fixed values in the link section win over
 * what was found, once the link is usable at all (a device without an address cannot be
 * the source of a fixed one either).
 */
export async function resolveLink(resolver: LinkResolver, cfg: LinkConfig): Promise<ResolvedLink> {
  const r = await resolver.resolve(cfg);
  if (!r.device || !r.address) return r;
  return { ...r, address: cfg.address ?? r.address, gateway: cfg.gateway ?? r.gateway };
}

/** Plain Linux: the configured device, its first IPv4 address and its default route's gateway. */
export const kernelResolver: LinkResolver = {
  async resolve(cfg) {
    const device = cfg.device;
    if (!device) return { why: `interface '${cfg.interface}' needs netifd (ubus) to find its device` };
    const a = await deviceAddress(device);
    if (!a.exists) return { device, why: `device ${device} does not exist` };
    if (!a.up) return { device, why: `device ${device} is down` };
    if (!a.address) return { device, why: `device ${device} has no IPv4 address` };
    // a configured gateway wins anyway (resolveLink): no `ip route` process for it every check
    return { device, address: a.address, gateway: cfg.gateway ?? (await deviceGateway(device, [cfg.table ?? -1])) };
  },
};

interface ClientLink {
  cfg: LinkConfig;
  link: Link;
  socket?: UdpSocket;
  route?: LinkRoute;
  why?: string;
}

export class Client extends Device {
  readonly bond: Bond;
  state: 'connecting' | 'connected' | 'down' = 'connecting';
  settings: TunnelSettings | undefined;
  server = Buffer.alloc(24);
  connectedAt = 0;
  private key: PresharedKey;
  private readonly links = new Map<string, ClientLink>();
  private readonly byId: (ClientLink | undefined)[] = [];
  private readonly sessions = new Map<number, Session>();
  private pending: PendingInit | undefined;
  private pendingAt = 0;
  private lastRx = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastAnnounce = 0;
  private checking = false;
  private recheck = false;

  constructor(private config: ClientConfig, log: Log, private readonly resolver: LinkResolver = kernelResolver) {
    super(config.cipher, log);
    this.key = presharedKey(config.key);
    const wire: Wire = { send: (out) => this.sendOut(out) };
    this.bond = new Bond('server', {
      pool: this.pool, keys: this.keys, alg: this.alg, wire, log,
      endpoint: () => (this.server[0] ? [this.server, 0] : null),
      seen: (_link, _from, _at, now) => {
        this.lastRx = now;
        this.touch(this.bond);
      },
      deliver: (slot) => this.deliver(slot),
      allowed: () => true,
      linkState: (_b, l, old) => this.onLinkState?.(l, old),
    }, config.scheduler);
    this.bond.onExpire = () => this.flushTun();
  }

  /** Set by the daemon to publish link state changes (ubus events, logs). */
  onLinkState?: (link: Link, old: string) => void;
  onTunnelState?: (state: string) => void;

  async start(): Promise<void> {
    await removeAll();
    const tun = this.openTun(this.config.device);
    await ipBatch([`link set dev ${tun.name} mtu ${this.config.mtu} up`]);
    await applyFirewall({ device: tun.name, masquerade4: [], masquerade6: [] });
    await this.applyLinks(this.config);
    await this.resolveServer();
    this.loop();
  }

  /** A new configuration (SIGHUP): links added, removed or changed; the tunnel stays up. */
  async reload(config: ClientConfig): Promise<void> {
    const keyChanged = config.key !== this.config.key || config.server !== this.config.server || config.port !== this.config.port;
    this.config = config;
    this.bond.setScheduler(config.scheduler);
    await this.applyLinks(config);
    if (keyChanged) {
      this.key = presharedKey(config.key);
      await this.resolveServer();
      this.setState('connecting');
      this.pending = undefined;
    }
    this.announce();
  }

  private async resolveServer(): Promise<void> {
    const host = this.config.server;
    try {
      const address = isIP(host) ? host : (await dnsLookup(host)).address;
      encodeEndpoint(address, this.config.port, this.server);
    } catch (err) {
      this.log.warn(`cannot resolve server '${host}': ${(err as Error).message}; retrying`);
      this.server.fill(0);
    }
  }

  private async applyLinks(config: ClientConfig): Promise<void> {
    const wanted = new Set(config.links.map((l) => l.name));
    for (const [name, cl] of this.links) {
      if (wanted.has(name)) continue;
      await this.unrouteLink(cl);
      this.bond.removeLink(cl.link.id);
      this.links.delete(name);
      this.byId[cl.link.id] = undefined;
    }
    const used = await usedTables();
    for (const cfg of config.links) {
      let cl = this.links.get(cfg.name);
      if (!cl) {
        const id = this.freeLinkId();
        cl = { cfg, link: this.bond.addLink(id, cfg.name, cfg.role) };
        this.links.set(cfg.name, cl);
        this.byId[id] = cl;
      }
      const changed = JSON.stringify(cl.cfg) !== JSON.stringify(cfg);
      cl.cfg = cfg;
      cl.link.role = cfg.role;
      cl.link.enabled = cfg.enabled;
      const mbps = cfg.maxUpMbps;
      cl.link.cc.ceiling = mbps ? (mbps * 1e6) / 8000 : Infinity;
      if (changed && cl.route) await this.unrouteLink(cl);
      if (!cl.route) {
        const table = cfg.table ?? this.freeTable(used);
        used.add(table);
        cl.route = { table, priority: RULE_BASE + cl.link.id, address: '', device: '' };
      }
    }
    await this.checkLinks();
  }

  private freeLinkId(): number {
    for (let id = 0; id < 255; id++) if (!this.byId[id] && !this.bond.links[id]) return id;
    throw new Error('too many links');
  }

  private freeTable(used: Set<number>): number {
    for (let t = TABLE_BASE; ; t++) if (!used.has(t)) return t;
  }

  /** Follows each link's device, address and gateway; re-binds and re-routes on change. */
  private async checkLinks(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      // A change reported while a check runs may come after that check read its link.
      do {
        this.recheck = false;
        for (const cl of this.links.values()) await this.checkLink(cl);
      } while (this.recheck && !this.stopped);
    } finally {
      this.checking = false;
    }
  }

  /** A WAN changed (netifd said so): check the links now rather than at the next tick. */
  recheckLinks(): void {
    if (this.stopped) return;
    if (this.checking) this.recheck = true;
    else void this.checkLinks();
  }

  private async checkLink(cl: ClientLink): Promise<void> {
    const r = await resolveLink(this.resolver, cl.cfg);
    const route = cl.route!;
    const ok = !!(r.device && r.address) && cl.cfg.enabled;
    if (ok && route.address === r.address && route.device === r.device && route.gateway === r.gateway && cl.socket) return;
    if (cl.socket || route.address) await this.unrouteLink(cl);
    if (!ok) {
      if (cl.why !== r.why && r.why) this.log.warn(`link ${cl.cfg.name}: ${r.why}`);
      cl.why = r.why ?? 'disabled';
      cl.link.ready = false;
      return;
    }
    route.address = r.address!;
    route.device = r.device!;
    route.gateway = r.gateway;
    try {
      await addLinkRoute(route);
      const sock = new UdpSocket({ address: route.address, device: route.device });
      sock.onReadable(() => this.readSocket(sock));
      cl.socket = sock;
      cl.link.ready = true;
      cl.why = undefined;
      this.log.info(`link ${cl.cfg.name}: ${route.device} ${route.address}${route.gateway ? ` via ${route.gateway}` : ''}, table ${route.table}`);
      if (this.state !== 'connected' && !(this.pending && performance.now() - this.pendingAt < HANDSHAKE_RETRY_MS)) this.sendInit();
    } catch (err) {
      cl.why = (err as Error).message;
      cl.link.ready = false;
      this.log.warn(`link ${cl.cfg.name}: ${cl.why}`);
    }
  }

  private async unrouteLink(cl: ClientLink): Promise<void> {
    cl.socket?.close();
    cl.socket = undefined;
    cl.link.ready = false;
    if (cl.route?.address) await removeLinkRoute(cl.route);
    if (cl.route) cl.route.address = cl.route.device = '';
  }

  private loop(): void {
    if (this.stopped) return;
    const now = performance.now();
    if (this.state === 'connected' && now - this.lastRx > DEAD_MS) {
      this.log.warn('no answer from the server: handshaking again');
      this.setState('connecting');
    }
    const current = this.bond.session;
    if (this.state !== 'connected' || (current && Date.now() - current.createdAt > REKEY_MS && !this.pending)) this.sendInit();
    for (const [index, s] of this.sessions) {
      if (s !== current && Date.now() - s.createdAt > REKEY_MS + OLD_SESSION_MS) {
        s.destroy();
        this.sessions.delete(index);
      }
    }
    if (this.state === 'connected' && now - this.lastAnnounce > ANNOUNCE_MS) this.announce();
    void this.checkLinks();
    this.timer = setTimeout(() => this.loop(), Math.min(LINK_CHECK_MS, HANDSHAKE_RETRY_MS) + randomInt(100));
  }

  private sendInit(): void {
    if (!this.server[0]) {
      void this.resolveServer();
      return;
    }
    let index: number;
    do index = randomInt(1, 0xffffffff);
    while (this.sessions.has(index));
    const rekeyOf = this.bond.session?.remoteIndex ?? 0;
    this.pending = createInit(this.key, index, rekeyOf);
    this.pendingAt = performance.now();
    const b = this.pending.packet;
    for (const cl of this.links.values()) {
      if (!cl.socket || !cl.link.enabled) continue;
      const off = Int32Array.of(0), len = Int32Array.of(b.length);
      cl.socket.send(b, off, len, this.server, 1);
    }
  }

  protected override handshake(type: number, packet: Buffer, from: Buffer, fromAt: number): void {
    if (type !== TYPE_RESPONSE || !this.pending) return;
    const r = openResponse(this.key, this.pending, packet);
    if (typeof r === 'string') {
      this.log.warn(`handshake response from ${formatEndpoint(from, fromAt)} refused: ${r}`);
      return;
    }
    const settings = r.settings as TunnelSettings;
    const session = new Session(this.keys, r.keys, this.pending.index, r.serverIndex, Date.now(), true);
    this.pending = undefined;
    this.sessions.set(session.localIndex, session);
    if (r.fresh) this.bond.restart();
    this.bond.session = session;
    this.lastRx = performance.now();
    void this.applySettings(settings).then(
      () => {
        if (this.state !== 'connected') {
          this.connectedAt = Date.now();
          this.log.info(`connected to ${formatEndpoint(this.server)} as ${settings.address}${r.fresh ? '' : ' (session continued)'}`);
        }
        this.setState('connected');
        this.announce();
      },
      (err) => this.log.error(`applying tunnel settings: ${(err as Error).message}`),
    );
  }

  private async applySettings(s: TunnelSettings): Promise<void> {
    const old = this.settings;
    this.settings = s;
    if (old && old.address === s.address && old.address6 === s.address6 && old.mtu === s.mtu) return;
    const dev = this.tun!.name;
    const lines = [`addr flush dev ${dev}`, `addr add ${s.address} dev ${dev}`, `link set dev ${dev} mtu ${Math.min(s.mtu, this.config.mtu)} up`];
    if (s.address6) lines.push(`addr add ${s.address6} dev ${dev} nodad`);
    await ipBatch(lines);
    if (this.config.defaultRoute) await tunnelDefault(dev, !!s.address6);
  }

  private announce(): void {
    this.lastAnnounce = performance.now();
    const links: LinkAnnouncement[] = [...this.links.values()].map(({ cfg, link, route }) => ({
      id: link.id, name: cfg.name, role: cfg.role, enabled: cfg.enabled, maxDownMbps: cfg.maxDownMbps, maxUpMbps: cfg.maxUpMbps,
      interface: cfg.interface, device: route?.device || cfg.device, address: route?.address || undefined,
    }));
    this.bond.announce(links);
  }

  private setState(s: Client['state']): void {
    if (s === this.state) return;
    this.state = s;
    this.onTunnelState?.(s);
  }

  protected override lookup(index: number) {
    const session = this.sessions.get(index);
    if (!session) return undefined;
    this.found.bond = this.bond;
    this.found.session = session;
    return this.found;
  }

  protected override route(): Bond | undefined {
    return this.bond.session ? this.bond : undefined;
  }

  private sendOut(out: OutBatch): void {
    const b = out.batch;
    let from = 0;
    while (from < out.count) {
      const id = out.link[from]!;
      let to = from + 1;
      while (to < out.count && out.link[to] === id) to++;
      const cl = this.byId[id];
      if (cl?.socket) {
        cl.socket.send(b.slab, b.offsets.subarray(from, to), b.lengths.subarray(from, to), b.addrs.subarray(from * 24, to * 24), to - from);
      }
      from = to;
    }
  }

  /** Link details for the status. */
  linkInfo(): { link: Link; cfg: LinkConfig; route?: LinkRoute; why?: string }[] {
    return [...this.links.values()].map((cl) => ({ link: cl.link, cfg: cl.cfg, route: cl.route, why: cl.why }));
  }

  /** Enables or disables a link at run time (ubus set_link); false when there is no such link. */
  setLinkEnabled(name: string, enabled: boolean): boolean {
    const cl = this.links.get(name);
    if (!cl) return false;
    cl.link.enabled = enabled;
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.bond.session) this.bond.goodbye();
    this.bond.stop();
    for (const cl of this.links.values()) await this.unrouteLink(cl);
    this.closeTun();
    await removeAll();
    await removeFirewall();
  }
}
