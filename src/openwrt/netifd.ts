// WAN discovery through netifd: a link with `option interface` takes its device, IPv4
// address and gateway from `network.interface.<name> status` (openwrt-platform notes §4.2),
// and netifd's announcements (§4.3) make the client re-check it at once instead of at its next
// once-a-second check. Links with `option device` go to the kernel resolver as before.
//
// Statuses are cached: the client asks about every link every second, and netifd tells us
// when something changes. A cached status is used for at most MAX_AGE_MS, so a lost or never
// delivered announcement (no subscription, an ACL that forbids it) costs a few seconds, not
// the link. While ubusd or netifd does not answer (a restart), the last status stays in use:
// dropping every WAN because the messenger is away would break the tunnel for nothing.
import { kernelResolver, type LinkResolver, type ResolvedLink } from '../device/client.js';
import { UbusError, UbusStatus } from '../ubus/status.js';
import type { Registration, UbusClient } from '../ubus/client.js';
import type { UbusTable, UbusValue } from '../ubus/value.js';
import type { LinkConfig } from '../config/types.js';
import type { Log } from '../log.js';

const MAX_AGE_MS = 5_000;
const CALL_TIMEOUT_MS = 2_000;

/** What a `network.interface.<name> status` reply says about a WAN (fields per netifd_dump_status). */
export function parseInterfaceStatus(name: string, s: UbusTable): ResolvedLink {
  const device = str(s.l3_device) ?? str(s.device);
  if (s.up !== true) {
    const errors = list(s.errors).map((e) => str(table(e)?.code)).filter((c): c is string => !!c);
    const detail = errors.length ? ` (${errors.join(', ')})` : s.pending === true ? ' (coming up)' : '';
    return { device, why: `interface ${name} is down${detail}` };
  }
  if (!device) return { why: `interface ${name} has no device` };
  const address = list(s['ipv4-address']).map((a) => str(table(a)?.address)).find((a) => !!a);
  if (!address) return { device, why: `interface ${name} has no IPv4 address` };
  return { device, address, gateway: defaultGateway(s) };
}

// The nexthop of the IPv4 default route, preferring the one without a `table` key (the rule of
// network.sh's network_get_gateway); with ip4table set, netifd's default route may only exist
// in that table, and its gateway is still this link's gateway. Point-to-point links (PPP, some
// LTE modes) may have none or 0.0.0.0: the client routes them by device.
function defaultGateway(s: UbusTable): string | undefined {
  const defaults = list(s.route)
    .map(table)
    .filter((r): r is UbusTable => !!r && r.target === '0.0.0.0' && r.mask === 0);
  const best = defaults.find((r) => r.table === undefined) ?? defaults[0];
  const via = str(best?.nexthop);
  return via && via !== '0.0.0.0' ? via : undefined;
}

function str(v: UbusValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function list(v: UbusValue | undefined): UbusValue[] {
  return Array.isArray(v) ? v : [];
}

function table(v: UbusValue | undefined): UbusTable | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v !== 'bigint' ? v : undefined;
}

interface Cached {
  at: number;
  // The last good answer; undefined while netifd has no such interface.
  status?: UbusTable;
  // Set when netifd did not answer or announced a change since: the next resolve asks again.
  stale: boolean;
  // The announcement count when it was asked for.
  gen: number;
}

export interface NetifdOptions {
  /** Links whose device is named directly (default: the kernel resolver). */
  fallback?: LinkResolver;
  log?: Log;
  maxAgeMs?: number;
  timeoutMs?: number;
}

export class NetifdResolver implements LinkResolver {
  /** Called when netifd announces a change of an interface that a link uses. */
  onChange?: (iface: string) => void;
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<Cached>>();
  // Announcements per interface so far: an answer asked for before the latest one may predate
  // the change it announced, so it counts as stale.
  private readonly gen = new Map<string, number>();
  // Interfaces some link has asked about: announcements for the others (lan, VPNs) are ignored.
  private readonly used = new Set<string>();
  private readonly regs: Registration[] = [];
  private readonly fallback: LinkResolver;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly ubus: UbusClient, private readonly opts: NetifdOptions = {}) {
    this.fallback = opts.fallback ?? kernelResolver;
    this.maxAgeMs = opts.maxAgeMs ?? MAX_AGE_MS;
    this.timeoutMs = opts.timeoutMs ?? CALL_TIMEOUT_MS;
  }

  async resolve(cfg: LinkConfig): Promise<ResolvedLink> {
    const iface = cfg.interface;
    // With both options, netifd knows the interface's current device better than the file.
    if (!iface) return this.fallback.resolve(cfg);
    this.used.add(iface);
    const c = await this.status(iface);
    if (!c.status) return { why: c.stale ? `netifd does not answer about interface ${iface}` : `netifd has no interface ${iface}` };
    return parseInterfaceStatus(iface, c.status);
  }

  /**
   * Follows netifd: the `network.interface` event (ifup, ifdown), the notifications of the
   * `network.interface` object (interface.update, interface.down: address, route and link
   * changes), and `ubus.object.add` (netifd (re)started, an interface object appeared).
   */
  async watch(): Promise<void> {
    this.regs.push(await this.ubus.onEvent('network.interface', (_type, data) => this.changed(data.interface)));
    this.regs.push(
      await this.ubus.onEvent('ubus.object.add', (_type, data) => {
        const path = typeof data.path === 'string' ? data.path : '';
        // netifd (re)started: whatever it said before may have changed.
        if (path === 'network.interface') this.changedAll();
        else if (path.startsWith('network.interface.')) this.changed(path.slice('network.interface.'.length));
      }),
    );
    // netifd may start after us: the client subscribes once network.interface appears.
    try {
      const sub = await this.ubus.subscribe('network.interface', (_type, data) => this.changed(data.interface), { waitForTargets: true });
      this.regs.push(sub);
    } catch (err) {
      this.opts.log?.warn(`netifd: cannot subscribe to network.interface: ${(err as Error).message}; checking every ${this.maxAgeMs / 1000} s`);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.regs.splice(0).map((r) => r.remove().catch(() => undefined)));
  }

  private changed(iface: UbusValue | undefined): void {
    if (typeof iface !== 'string' || !this.used.has(iface)) return;
    this.gen.set(iface, (this.gen.get(iface) ?? 0) + 1);
    const c = this.cache.get(iface);
    if (c) c.stale = true;
    this.inFlight.delete(iface);
    this.onChange?.(iface);
  }

  private changedAll(): void {
    for (const iface of this.used) this.changed(iface);
  }

  private status(iface: string): Promise<Cached> {
    const c = this.cache.get(iface);
    if (c && !c.stale && Date.now() - c.at < this.maxAgeMs) return Promise.resolve(c);
    let p = this.inFlight.get(iface);
    if (!p) {
      const fetching = this.fetch(iface, c).finally(() => {
        if (this.inFlight.get(iface) === fetching) this.inFlight.delete(iface);
      });
      this.inFlight.set(iface, fetching);
      p = fetching;
    }
    return p;
  }

  private async fetch(iface: string, old: Cached | undefined): Promise<Cached> {
    const gen = this.gen.get(iface) ?? 0;
    let next: Cached;
    try {
      const status = await this.ubus.call(`network.interface.${iface}`, 'status', {}, { timeoutMs: this.timeoutMs });
      next = { at: Date.now(), status, stale: false, gen };
    } catch (err) {
      if (err instanceof UbusError && err.code === UbusStatus.NOT_FOUND) {
        next = { at: Date.now(), stale: false, gen };
      } else {
        next = { at: old?.at ?? 0, status: old?.status, stale: true, gen };
      }
    }
    if ((this.gen.get(iface) ?? 0) !== gen) next.stale = true;
    // A fetch started after a later announcement may have finished first: keep its answer.
    const current = this.cache.get(iface);
    if (!current || current.gen <= gen) this.cache.set(iface, next);
    return next;
  }
}
