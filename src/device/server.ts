// The server (the VPS): one UDP socket for every client, one bond per connected peer, the TUN
// device with the tunnel subnet, forwarding and NAT toward its default route.
//
// A client is known by its key (key id in the init). An init that does not authenticate gets
// no answer at all. A new session becomes the one the server sends under only once the client
// has sent under it (key confirmation), so a replayed init cannot take a working session over.
// Each client link's endpoint is learned from its authenticated packets and followed when NAT
// rebinds it. Packets from the TUN device go to the peer whose address or routed LAN contains
// the destination; packets from a peer reach the TUN device only with a source address that
// belongs to that peer.
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Device } from './device.js';
import { Bond } from './bond.js';
import { Session } from './session.js';
import { UdpSocket } from '../conn/udp.js';
import { formatEndpoint, sameEndpoint, ipv6Bytes } from '../conn/endpoint.js';
import { presharedKey, parseInit, verifyInit, createResponse, type PresharedKey, type ParsedInit } from '../wire/handshake.js';
import { TYPE_INIT, CLEAR, INNER } from '../wire/packet.js';
import { HEADROOM } from './pool.js';
import { ipBatch } from '../sys/ip.js';
import { run } from '../sys/exec.js';
import { applyFirewall, removeFirewall } from '../sys/nat.js';
import { removeAll, PROTO } from '../sys/routing.js';
import type { Link, LinkRole } from '../link/link.js';
import type { OutBatch } from './out.js';
import type { PeerConfig, ServerConfig } from '../config/types.js';
import type { Log } from '../log.js';
import type { TunnelSettings } from './client.js';

const HANDSHAKES_PER_SECOND = 10; // per peer
const OLD_SESSION_MS = 180_000;
const PEER_GONE_MS = 300_000;

/** An IPv4 or IPv6 prefix as (bytes, length), for matching packet addresses. */
interface Prefix {
  v: 4 | 6;
  bytes: Buffer;
  len: number;
}

function prefix(cidr: string): Prefix {
  const [addr, len] = cidr.split('/') as [string, string | undefined];
  const v6 = addr.includes(':');
  const bytes = v6 ? ipv6Bytes(addr) : Buffer.from(addr.split('.').map(Number));
  return { v: v6 ? 6 : 4, bytes, len: len === undefined ? (v6 ? 128 : 32) : Number(len) };
}

function contains(p: Prefix, b: Buffer, at: number): boolean {
  let bits = p.len;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[at + i]! & mask) !== (p.bytes[i]! & mask)) return false;
  }
  return true;
}

class Peer {
  bond: Bond | undefined;
  readonly key: PresharedKey;
  readonly allowed: Prefix[];
  readonly sessions = new Map<number, Session>();
  readonly endpoints: (Buffer | undefined)[] = [];
  handshakeTokens = HANDSHAKES_PER_SECOND;
  lastInitMac: Buffer | undefined;
  lastResponse: Buffer | undefined;
  lastRx = 0;
  linkInfo = new Map<number, { name: string; interface?: string; device?: string; address?: string; maxDownMbps?: number }>();

  constructor(public cfg: PeerConfig) {
    this.key = presharedKey(cfg.key);
    this.allowed = [prefix(cfg.address), ...(cfg.address6 ? [prefix(cfg.address6)] : []), ...cfg.routes.map(prefix)];
  }
}

export class Server extends Device {
  private socket: UdpSocket | undefined;
  private readonly peers = new Map<string, Peer>(); // by key id (hex)
  private routes: { pre: Prefix; peer: Peer }[] = []; // every peer's prefixes, longest first
  private readonly byIndex = new Map<number, { peer: Peer; session: Session }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly byBond = new Map<Bond, Peer>();

  constructor(private config: ServerConfig, log: Log) {
    super(config.cipher, log);
  }

  onLinkState?: (peer: string, link: Link, old: string) => void;
  onPeerState?: (peer: string, state: string) => void;

  async start(): Promise<void> {
    await removeAll();
    const tun = this.openTun(this.config.device);
    await this.applyTunnel();
    await applyFirewall({ device: tun.name, ...this.masquerade() });
    this.applyPeers(this.config);
    const sock = new UdpSocket({ address: this.config.listen, port: this.config.port, bufferBytes: 8 << 20 });
    sock.onReadable(() => this.readSocket(sock));
    this.socket = sock;
    this.log.info(`listening on ${this.config.listen}:${this.config.port}, tunnel ${this.config.address} on ${tun.name}`);
    this.tick();
  }

  private masquerade(): { masquerade4: string[]; masquerade6: string[] } {
    if (!this.config.nat) return { masquerade4: [], masquerade6: [] };
    const net = (cidr: string) => {
      const p = prefix(cidr);
      const out = Buffer.from(p.bytes);
      for (let bit = p.len; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
      return p.v === 4 ? `${[...out].join('.')}/${p.len}` : `${cidr.split('/')[0]}/${p.len}`;
    };
    const routes = this.config.peers.flatMap((p) => p.routes);
    return {
      masquerade4: [net(this.config.address), ...routes.filter((r) => !r.includes(':'))],
      masquerade6: [...(this.config.address6 ? [net(this.config.address6)] : []), ...routes.filter((r) => r.includes(':'))],
    };
  }

  private async applyTunnel(): Promise<void> {
    const dev = this.tun!.name;
    const lines = [`addr flush dev ${dev}`, `addr add ${this.config.address} dev ${dev}`, `link set dev ${dev} mtu ${this.config.mtu} up`];
    if (this.config.address6) lines.push(`addr add ${this.config.address6} dev ${dev} nodad`);
    for (const p of this.config.peers) for (const r of p.routes) lines.push(`route replace ${r} dev ${dev} proto ${PROTO}`);
    await ipBatch(lines);
    await run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', ...(this.config.address6 ? ['net.ipv6.conf.all.forwarding=1'] : [])]);
  }

  private applyPeers(config: ServerConfig): void {
    const wanted = new Set<string>();
    for (const cfg of config.peers) {
      const p = new Peer(cfg);
      const id = p.key.keyId.toString('hex');
      wanted.add(id);
      const existing = this.peers.get(id);
      if (existing && JSON.stringify(existing.cfg) === JSON.stringify(cfg)) continue;
      if (existing) this.dropPeer(id, existing, 'configuration changed');
      this.peers.set(id, p);
    }
    for (const [id, p] of this.peers) if (!wanted.has(id)) this.dropPeer(id, p, 'removed from the configuration');
    // longest prefix first, so that route() takes the first match
    this.routes = [...this.peers.values()].flatMap((peer) => peer.allowed.map((pre) => ({ pre, peer }))).sort((a, b) => b.pre.len - a.pre.len);
  }

  async reload(config: ServerConfig): Promise<void> {
    const tunnelChanged = config.address !== this.config.address || config.address6 !== this.config.address6 || config.mtu !== this.config.mtu ||
      JSON.stringify(config.peers.map((p) => p.routes)) !== JSON.stringify(this.config.peers.map((p) => p.routes)) || config.nat !== this.config.nat;
    this.config = config;
    this.applyPeers(config);
    for (const p of this.peers.values()) p.bond?.setScheduler(config.scheduler);
    if (tunnelChanged) {
      await this.applyTunnel();
      await applyFirewall({ device: this.tun!.name, ...this.masquerade() });
    }
  }

  private dropPeer(id: string, p: Peer, why: string): void {
    this.endSessions(p, why);
    this.peers.delete(id);
  }

  /** Forgets a peer's sessions and bond; it may handshake again. */
  private endSessions(p: Peer, why: string): void {
    this.log.info(`peer ${p.cfg.name}: disconnected (${why})`);
    if (p.bond) {
      p.bond.stop();
      this.byBond.delete(p.bond);
    }
    for (const [index, s] of p.sessions) {
      s.destroy();
      this.byIndex.delete(index);
    }
    p.sessions.clear();
    p.bond = undefined;
    p.lastInitMac = p.lastResponse = undefined;
    p.endpoints.length = 0;
    this.onPeerState?.(p.cfg.name, 'down');
  }

  private tick(): void {
    const now = Date.now();
    for (const p of this.peers.values()) {
      p.handshakeTokens = HANDSHAKES_PER_SECOND;
      const current = p.bond?.session;
      for (const [index, s] of p.sessions) {
        if (s !== current && now - s.createdAt > OLD_SESSION_MS) {
          s.destroy();
          p.sessions.delete(index);
          this.byIndex.delete(index);
        }
      }
      if (p.bond && performance.now() - p.lastRx > PEER_GONE_MS) this.endSessions(p, 'silent');
    }
    this.timer = setTimeout(() => this.tick(), 1000);
  }

  protected override handshake(type: number, packet: Buffer, from: Buffer, fromAt: number): void {
    if (type !== TYPE_INIT) return;
    const init = parseInit(packet);
    if (typeof init === 'string') return this.inbound.bad('junk', from, fromAt, init);
    const peer = this.peers.get(init.keyId);
    if (!peer) return this.inbound.bad('forged', from, fromAt, 'handshake with an unknown key');
    if (!verifyInit(peer.key, packet)) return this.inbound.bad('forged', from, fromAt, `handshake for peer ${peer.cfg.name} does not authenticate`);
    // the same init on several links (or resent): answer with the same response
    if (peer.lastInitMac?.equals(init.mac) && peer.lastResponse) return this.sendRaw(peer.lastResponse, from, fromAt);
    if (peer.handshakeTokens <= 0) return this.inbound.bad('junk', from, fromAt, `too many handshakes for peer ${peer.cfg.name}`);
    peer.handshakeTokens--;
    this.accept(peer, init, from, fromAt);
  }

  private accept(peer: Peer, init: ParsedInit, from: Buffer, fromAt: number): void {
    const bond = peer.bond ?? this.newBond(peer);
    const fresh = !bond.session || init.rekeyOf !== bond.session.localIndex;
    let index: number;
    do index = randomInt(1, 0xffffffff);
    while (this.byIndex.has(index));
    const settings: TunnelSettings = {
      address: `${peer.cfg.address}/${this.config.address.split('/')[1]}`,
      peer: this.config.address.split('/')[0]!,
      mtu: this.config.mtu,
      ...(peer.cfg.address6 && this.config.address6
        ? { address6: `${peer.cfg.address6}/${this.config.address6.split('/')[1]}`, peer6: this.config.address6.split('/')[0]! }
        : {}),
    };
    const r = createResponse(peer.key, init, index, fresh, settings);
    const session = new Session(this.keys, r.keys, index, init.senderIndex, Date.now(), false, fresh);
    peer.sessions.set(index, session);
    this.byIndex.set(index, { peer, session });
    peer.lastInitMac = init.mac;
    peer.lastResponse = r.packet;
    this.sendRaw(r.packet, from, fromAt);
  }

  private newBond(peer: Peer): Bond {
    const bond = new Bond(peer.cfg.name, {
      pool: this.pool, keys: this.keys, alg: this.alg, log: this.log,
      wire: { send: (out) => this.sendOut(out) },
      endpoint: (l) => (peer.endpoints[l.id] ? [peer.endpoints[l.id]!, 0] : null),
      seen: (l, from, at, now) => this.seen(peer, bond, l, from, at, now),
      deliver: (slot) => this.deliver(slot),
      allowed: (slot) => this.allowedSource(peer, slot),
      linkState: (_b, l, old) => this.onLinkState?.(peer.cfg.name, l, old),
      links: (list) => {
        for (const a of list) {
          const l = bond.links[a.id] ?? bond.addLink(a.id, a.name, a.role as LinkRole);
          l.name = a.name;
          l.role = (['primary', 'secondary', 'backup'].includes(a.role) ? a.role : 'primary') as LinkRole;
          l.enabled = a.enabled;
          l.cc.ceiling = a.maxDownMbps ? (a.maxDownMbps * 1e6) / 8000 : Infinity;
          peer.linkInfo.set(a.id, { name: a.name, interface: a.interface, device: a.device, address: a.address, maxDownMbps: a.maxDownMbps });
        }
      },
      confirm: (session) => this.confirm(peer, bond, session),
      closed: () => {
        this.log.info(`peer ${peer.cfg.name}: said goodbye`);
        for (const l of bond.links) if (l) l.ready = false;
      },
    }, this.config.scheduler);
    bond.onExpire = () => this.flushTun();
    peer.bond = bond;
    this.byBond.set(bond, peer);
    this.onPeerState?.(peer.cfg.name, 'up');
    return bond;
  }

  private seen(peer: Peer, bond: Bond, l: Link, from: Buffer, at: number, now: number): void {
    peer.lastRx = now;
    this.touch(bond);
    const ep = peer.endpoints[l.id];
    if (!ep || !sameEndpoint(ep, 0, from, at)) {
      const next = Buffer.from(from.subarray(at, at + 24));
      if (ep) this.log.info(`peer ${peer.cfg.name}: link ${l.name} moved from ${formatEndpoint(ep)} to ${formatEndpoint(next)}`);
      peer.endpoints[l.id] = next;
    }
    l.ready = true;
  }

  /**
   * Key confirmation: the client sent under a new session (authenticated), so we send under it
   * too. A fresh session (not a rekey) starts the sequence space over; only now, so that a
   * replayed init cannot disturb a working session.
   */
  private confirm(peer: Peer, bond: Bond, session: Session): void {
    session.confirmed = true;
    if (session.fresh) {
      for (const [i, s] of peer.sessions) {
        if (s === session) continue;
        s.destroy();
        peer.sessions.delete(i);
        this.byIndex.delete(i);
      }
      bond.restart();
      this.log.info(`peer ${peer.cfg.name}: connected`);
    }
    bond.session = session;
  }

  protected override lookup(index: number) {
    const r = this.byIndex.get(index);
    if (!r?.peer.bond) return undefined;
    this.found.bond = r.peer.bond;
    this.found.session = r.session;
    return this.found;
  }

  protected override route(slot: number, len: number): Bond | undefined {
    const b = this.pool.slab;
    const at = this.pool.offset(slot) + HEADROOM;
    const v = b[at]! >> 4;
    if (len < 20) return undefined;
    const dst = v === 4 ? at + 16 : v === 6 && len >= 40 ? at + 24 : -1;
    if (dst < 0) return undefined;
    for (const r of this.routes) if (r.pre.v === v && r.peer.bond?.session && contains(r.pre, b, dst)) return r.peer.bond;
    return undefined;
  }

  private allowedSource(peer: Peer, slot: number): boolean {
    const b = this.pool.slab;
    const at = this.pool.offset(slot) + CLEAR + INNER;
    const v = b[at]! >> 4;
    const src = v === 4 ? at + 12 : v === 6 ? at + 8 : -1;
    if (src < 0) return false;
    for (const p of peer.allowed) if (p.v === v && contains(p, b, src)) return true;
    return false;
  }

  private sendRaw(packet: Buffer, to: Buffer, at: number): void {
    this.socket?.send(packet, Int32Array.of(0), Int32Array.of(packet.length), to.subarray(at, at + 24), 1);
  }

  private sendOut(out: OutBatch): void {
    const b = out.batch;
    this.socket?.send(b.slab, b.offsets, b.lengths, b.addrs, out.count);
  }

  peerList(): { name: string; peer: Peer; bond?: Bond }[] {
    return [...this.peers.values()].map((p) => ({ name: p.cfg.name, peer: p, bond: p.bond }));
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    for (const p of this.peers.values()) {
      p.bond?.goodbye();
      p.bond?.stop();
    }
    this.socket?.close();
    this.closeTun();
    await removeAll();
    await removeFirewall();
  }
}

export type { Peer };
