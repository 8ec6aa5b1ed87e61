// The running daemon: the configuration, the client or server it drives, and the API that
// ubus and the control socket serve. Reload (SIGHUP, `reload`) re-reads the file; an invalid
// file is refused as a whole and the daemon keeps running as it was.
import { formatProblem, loadConfig } from './config/load.js';
import { Client, type LinkResolver } from './device/client.js';
import { Server } from './device/server.js';
import { bondStatus, type Status, type PeerStatus } from './status/status.js';
import { formatEndpoint } from './conn/endpoint.js';
import { ApiError, type Api } from './control/api.js';
import type { Config } from './config/types.js';
import type { Log } from './log.js';
import type { Link } from './link/link.js';

export class Daemon implements Api {
  private device: Client | Server | undefined;
  private readonly startedAt = Date.now();
  /** Link state changes and tunnel state changes, for ubus events. */
  onLinkEvent?: (e: { name: string; state: string; reason: string; peer?: string }) => void;
  onTunnelEvent?: (e: { state: string; peer?: string }) => void;
  /** How a client finds its links' devices and addresses (netifd on OpenWrt); set before start(). */
  resolver?: LinkResolver;

  constructor(private config: Config, private readonly log: Log) {}

  get mode(): Config['mode'] {
    return this.config.mode;
  }

  async start(): Promise<void> {
    this.log.level = this.config.logLevel;
    if (!this.config.enabled) {
      this.log.info(`${this.config.file}: disabled (option enabled '0'); waiting for a reload`);
      return;
    }
    const c = this.config;
    if (c.mode === 'client') {
      const client = new Client(c, this.log, this.resolver);
      client.onLinkState = (l) => this.linkEvent(l);
      client.onTunnelState = (state) => this.onTunnelEvent?.({ state });
      this.device = client;
      await client.start();
    } else {
      const server = new Server(c, this.log);
      server.onLinkState = (peer, l) => this.linkEvent(l, peer);
      server.onPeerState = (peer, state) => this.onTunnelEvent?.({ state, peer });
      this.device = server;
      await server.start();
    }
  }

  /** Something about the WANs changed (a netifd event): check the client's links now. */
  recheckLinks(): void {
    if (this.device instanceof Client) this.device.recheckLinks();
  }

  private linkEvent(l: Link, peer?: string): void {
    this.onLinkEvent?.({ name: l.name, state: l.state, reason: l.reason, ...(peer ? { peer } : {}) });
  }

  async reload(): Promise<{ ok: true; warnings: string[] }> {
    const { config, problems } = loadConfig(this.config.file);
    const warnings = problems.filter((p) => p.severity === 'warning').map(formatProblem);
    if (!config) {
      const text = problems.map(formatProblem).join('\n');
      this.log.error(`reload refused, keeping the running configuration:\n${text}`);
      throw new ApiError('INVALID_ARGUMENT', `configuration has errors:\n${text}`);
    }
    if (warnings.length) this.log.warn(warnings.join('\n'));
    const modeChanged = config.mode !== this.config.mode || config.enabled !== this.config.enabled || config.device !== this.config.device ||
      config.cipher !== this.config.cipher || (config.mode === 'server' && this.config.mode === 'server' && (config.listen !== this.config.listen || config.port !== this.config.port));
    this.config = config;
    this.log.level = config.logLevel;
    if (modeChanged || !this.device) {
      await this.device?.stop();
      this.device = undefined;
      await this.start();
    } else if (this.device instanceof Client && config.mode === 'client') {
      await this.device.reload(config);
    } else if (this.device instanceof Server && config.mode === 'server') {
      await this.device.reload(config);
    }
    this.log.info('configuration reloaded');
    return { ok: true, warnings };
  }

  async stop(): Promise<void> {
    await this.device?.stop();
    this.device = undefined;
  }

  status(): Status {
    const now = performance.now();
    const c = this.config;
    const d = this.device;
    const uptime = (since: number) => (since ? Math.round((Date.now() - since) / 1000) : 0);
    const dropped = d ? { ...d.inbound.counters } : { junk: 0, replayed: 0, forged: 0 };
    const empty = { totals: { tx_bps: 0, rx_bps: 0, tx_bytes: 0, rx_bytes: 0 }, reorder: { buffered: 0, released_late: 0, timeouts: 0, hold_ms: 0, hold_p99_ms: 0 } };
    if (c.mode === 'client') {
      const client = d instanceof Client ? d : undefined;
      const info = new Map(client?.linkInfo().map((x) => [x.link, x]) ?? []);
      const b = client ? bondStatus(client.bond, (l) => {
        const x = info.get(l);
        return { interface: x?.cfg.interface, device: x?.route?.device || x?.cfg.device, address: x?.route?.address || undefined, gateway: x?.route?.gateway, table: x?.route?.table, why: x?.why };
      }, now, true) : undefined;
      return {
        mode: 'client',
        state: !client ? 'down' : client.state,
        uptime_s: client?.state === 'connected' ? uptime(client.connectedAt) : 0,
        server: `${c.server}:${c.port}`,
        tunnel: { device: c.device, address: client?.settings?.address ?? null, peer_address: client?.settings?.peer ?? null, mtu: client?.settings?.mtu ?? c.mtu, address6: client?.settings?.address6 ?? null },
        scheduler: c.scheduler,
        links: b?.links ?? [],
        ...(b ?? empty),
        dropped,
      };
    }
    const server = d instanceof Server ? d : undefined;
    const peers: PeerStatus[] = (server?.peerList() ?? []).map(({ name, peer, bond }) => {
      const b = bond ? bondStatus(bond, (l) => {
        const x = peer.linkInfo.get(l.id);
        const ep = peer.endpoints[l.id];
        return { interface: x?.interface, device: x?.device, address: ep ? formatEndpoint(ep) : x?.address };
      }, now, false) : { links: [], ...empty, queue: { packets: 0, drops: 0, repairs: 0, skips: 0 } };
      const up = !!bond?.session && bond.links.some((l) => l?.usable);
      return { name, state: up ? 'connected' : bond ? 'connecting' : 'down', address: peer.cfg.address, uptime_s: up ? uptime(bond!.startedAt) : 0, ...b };
    });
    const sum = (k: 'tx_bps' | 'rx_bps' | 'tx_bytes' | 'rx_bytes') => peers.reduce((a, p) => a + p.totals[k], 0);
    return {
      mode: 'server',
      state: !server ? 'down' : peers.some((p) => p.state === 'connected') ? 'connected' : 'connecting',
      uptime_s: server ? uptime(this.startedAt) : 0,
      listen: `${c.listen}:${c.port}`,
      tunnel: { device: c.device, address: c.address, peer_address: null, mtu: c.mtu, address6: c.address6 ?? null },
      scheduler: c.scheduler,
      links: [],
      totals: { tx_bps: sum('tx_bps'), rx_bps: sum('rx_bps'), tx_bytes: sum('tx_bytes'), rx_bytes: sum('rx_bytes') },
      reorder: empty.reorder,
      peers,
      dropped,
    };
  }

  links(): unknown {
    const s = this.status();
    return s.mode === 'client' ? { links: s.links } : { peers: (s.peers ?? []).map((p) => ({ name: p.name, links: p.links })) };
  }

  setLink(name: string, enabled: boolean): unknown {
    const d = this.device;
    if (!(d instanceof Client)) throw new ApiError('NOT_FOUND', d ? 'set_link applies to a client\'s links' : 'the tunnel is not running');
    if (!d.setLinkEnabled(name, enabled)) throw new ApiError('NOT_FOUND', `no link '${name}'`);
    this.log.info(`link ${name} ${enabled ? 'enabled' : 'disabled'} at run time`);
    return { name, enabled };
  }
}
