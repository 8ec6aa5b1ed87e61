// The lab: real namespaces and routing, links emulated in user space (no netem here).
//
//   lan ──── rt ══ wan1 ══╗                 ╔══ vps ──── inet
//  .1.2    .1.1   wan2 ═══╬══ wan (emulator)╝ 203.0.113.1   198.51.100.2
//                 wanN ═══╝   100.64.i.1 / 203.0.113.254
//
//   lan   192.168.1.2/24, fd00:1::2/64           default via rt
//   rt    lan 192.168.1.1/24, fd00:1::1/64; wan<i> 100.64.<i>.2/24 (gateway 100.64.<i>.1)
//         no default route: the bond (or useLinkAlone) routes
//   wan   the ISPs and the internet core; rt<i> 100.64.<i>.1/24, vps 203.0.113.254/24
//         packets from rt<i> go through TUN l<i>u, packets to 100.64.<i>.0/24 through l<i>d,
//         where the emulator process applies the link's rate, delay, loss and queue
//   vps   eth0 203.0.113.1/24 (the bond server's address), inet 198.51.100.1/24, 2001:db8:2::1/64
//   inet  198.51.100.2/24, 2001:db8:2::2/64, default via vps: "the internet" beyond the VPS
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Namespaces } from './netns.js';
import { ip, ipBatch, sysctl } from './sh.js';
import { defaultQueueBytes, parseTrace, traceMbps } from './link/shaper.js';
import { LAB_BUILD } from './paths.js';
import type { DirectionConfig, EmulatorRequest } from './link/emulator.js';

export interface LinkSettings {
  rateMbps: number; // 0 = unshaped (plain kernel forwarding, no emulator)
  traceFile?: string; // Mahimahi trace; rateMbps is then its average (for reports)
  delayMs: number; // one way
  lossPct: number;
  queueBytes?: number; // default: 100 ms at the link's rate, at least 64 KB
}

export interface LinkSpec extends Partial<LinkSettings> {
  name: string;
  up?: Partial<LinkSettings>; // rt → vps overrides
  down?: Partial<LinkSettings>; // vps → rt overrides
}

export interface LabLink {
  index: number; // 1-based
  name: string;
  device: string; // on rt
  address: string; // rt's address on the link
  gateway: string;
  up: LinkSettings;
  down: LinkSettings;
  shaped: boolean;
}

export const ADDR = {
  lan: '192.168.1.2', lan6: 'fd00:1::2', rtLan: '192.168.1.1', rtLan6: 'fd00:1::1', lanNet: '192.168.1.0/24',
  vps: '203.0.113.1', core: '203.0.113.254', vpsInet: '198.51.100.1', vpsInet6: '2001:db8:2::1',
  inet: '198.51.100.2', inet6: '2001:db8:2::2',
};


function settings(spec: LinkSpec, dir: 'up' | 'down'): LinkSettings {
  const s: LinkSettings = { rateMbps: 0, delayMs: 0, lossPct: 0, ...stripUndefined(spec), ...stripUndefined(spec[dir] ?? {}) };
  if (s.traceFile) s.rateMbps = traceMbps(parseTrace(readFileSync(s.traceFile, 'utf8')));
  return s;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'up' && k !== 'down' && k !== 'name')) as Partial<T>;
}

export class Lab {
  readonly ns: { lan: string; rt: string; wan: string; vps: string; inet: string };
  readonly links: LabLink[];
  private readonly spaces: Namespaces;
  private emulator: ChildProcess | undefined;
  private emuSeq = 0;
  private readonly emuWaiting = new Map<number, (r: { ok: boolean; result?: unknown; error?: string }) => void>();
  private lanRoute: number | null = null;

  private constructor(prefix: string, specs: LinkSpec[]) {
    this.spaces = new Namespaces(prefix);
    const s = this.spaces;
    this.ns = { lan: s.add('lan'), rt: s.add('rt'), wan: s.add('wan'), vps: s.add('vps'), inet: s.add('inet') };
    this.links = specs.map((spec, k) => {
      const up = settings(spec, 'up'), down = settings(spec, 'down');
      return {
        index: k + 1, name: spec.name, device: `wan${k + 1}`, address: `100.64.${k + 1}.2`, gateway: `100.64.${k + 1}.1`,
        up, down, shaped: up.rateMbps > 0 || down.rateMbps > 0,
      };
    });
  }

  /** More routers (rt2, rt3…), each with one plain link to the core: other clients of the server. */
  readonly routers: { ns: string; device: string; address: string; gateway: string }[] = [];

  /** Builds the topology and starts the emulator. The prefix names the namespaces (<prefix>-rt…). */
  static async start(specs: LinkSpec[], opts: { prefix?: string; seed?: number; routers?: number } = {}): Promise<Lab> {
    const lab = new Lab(opts.prefix ?? 'bl', specs);
    try {
      lab.wire();
      for (let k = 2; k <= (opts.routers ?? 1); k++) lab.addRouter(k);
      await lab.startEmulator(opts.seed ?? 1);
    } catch (err) {
      lab.close();
      throw err;
    }
    return lab;
  }

  private wire(): void {
    const { lan, rt, wan, vps, inet } = this.ns;
    const fwd = { 'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 };
    for (const n of [rt, wan, vps]) sysctl(n, fwd);
    // a veth pair straight between two namespaces
    const veth = (a: string, an: string, b: string, bn: string) => ip(a, 'link', 'add', an, 'type', 'veth', 'peer', 'name', bn, 'netns', b);

    veth(lan, 'eth0', rt, 'lan');
    ipBatch(lan, ['addr add 192.168.1.2/24 dev eth0', 'addr add fd00:1::2/64 dev eth0 nodad', 'link set eth0 up',
      'route add default via 192.168.1.1', 'route add default via fd00:1::1']);
    const rtCmds = ['addr add 192.168.1.1/24 dev lan', 'addr add fd00:1::1/64 dev lan nodad', 'link set lan up'];
    const wanCmds: string[] = [];
    for (const l of this.links) {
      veth(rt, l.device, wan, `rt${l.index}`);
      rtCmds.push(`addr add ${l.address}/24 dev ${l.device}`, `link set ${l.device} up`);
      wanCmds.push(`addr add ${l.gateway}/24 dev rt${l.index}`, `link set rt${l.index} up`);
    }
    ipBatch(rt, rtCmds);
    veth(wan, 'vps', vps, 'eth0');
    // beyond the VPS lies the rest of the internet (inet)
    wanCmds.push('addr add 203.0.113.254/24 dev vps', 'link set vps up', 'route add default via 203.0.113.1');
    ipBatch(wan, wanCmds);
    veth(vps, 'inet', inet, 'eth0');
    ipBatch(vps, ['addr add 203.0.113.1/24 dev eth0', 'link set eth0 up', 'route add 100.64.0.0/16 via 203.0.113.254',
      'addr add 198.51.100.1/24 dev inet', 'addr add 2001:db8:2::1/64 dev inet nodad', 'link set inet up',
      'route add default via 198.51.100.2']);
    ipBatch(inet, ['addr add 198.51.100.2/24 dev eth0', 'addr add 2001:db8:2::2/64 dev eth0 nodad', 'link set eth0 up',
      'route add default via 198.51.100.1', 'route add default via 2001:db8:2::1']);
  }

  // rt<k> ── (unshaped) ── wan, as 100.<63+k>.1.2/24
  private addRouter(k: number): void {
    const ns = this.spaces.add(`rt${k}`);
    const net = `100.${63 + k}.1`;
    sysctl(ns, { 'net.ipv4.conf.all.rp_filter': 0 });
    ip(ns, 'link', 'add', 'wan1', 'type', 'veth', 'peer', 'name', `r${k}`, 'netns', this.ns.wan);
    ipBatch(ns, [`addr add ${net}.2/24 dev wan1`, 'link set wan1 up']);
    ipBatch(this.ns.wan, [`addr add ${net}.1/24 dev r${k}`, `link set r${k} up`]);
    ipBatch(this.ns.vps, [`route add ${net}.0/24 via 203.0.113.254`]);
    this.routers.push({ ns, device: 'wan1', address: `${net}.2`, gateway: `${net}.1` });
  }

  private async startEmulator(seed: number): Promise<void> {
    const shaped = this.links.filter((l) => l.shaped);
    if (shaped.length === 0) return;
    const child = fork(`${LAB_BUILD}link/emulator.js`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execPath: 'ip', execArgv: ['netns', 'exec', this.ns.wan, process.execPath] });
    this.emulator = child;
    child.on('message', (m: { ready?: boolean; id?: number; ok: boolean; result?: unknown; error?: string }) => {
      if (m.id !== undefined) this.emuWaiting.get(m.id)?.(m), this.emuWaiting.delete(m.id);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`link emulator exited (${code}) before it was ready`)));
    });
    const dirs: DirectionConfig[] = [];
    for (const l of shaped) {
      for (const [dir, s] of [['u', l.up], ['d', l.down]] as const) {
        dirs.push({
          tun: `l${l.index}${dir}`, rateMbps: s.rateMbps, traceFile: s.traceFile, delayMs: s.delayMs, lossPct: s.lossPct,
          queueBytes: s.queueBytes ?? defaultQueueBytes(s.rateMbps), seed: seed * 100 + l.index * 2 + (dir === 'u' ? 0 : 1),
        });
      }
    }
    await this.emu({ cmd: 'configure', directions: dirs });
    const cmds: string[] = [];
    for (const l of shaped) {
      const i = l.index;
      cmds.push(
        `link set l${i}u up`, `link set l${i}d up`,
        `route add default dev l${i}u table ${100 + i}`, `route add default dev l${i}d table ${200 + i}`,
        `rule add pref 10 iif l${i}u lookup main`, `rule add pref 10 iif l${i}d lookup main`,
        `rule add pref 20 iif rt${i} lookup ${100 + i}`, `rule add pref 30 to 100.64.${i}.0/24 lookup ${200 + i}`,
      );
    }
    ipBatch(this.ns.wan, cmds);
    sysctl(this.ns.wan, Object.fromEntries(shaped.flatMap((l) => [[`net.ipv4.conf.l${l.index}u.rp_filter`, 0], [`net.ipv4.conf.l${l.index}d.rp_filter`, 0]])));
  }

  /** Sends a request to the link emulator. */
  emu(req: EmulatorRequest): Promise<unknown> {
    const child = this.emulator;
    if (!child) return Promise.reject(new Error('no emulated links in this lab'));
    const id = ++this.emuSeq;
    return new Promise((resolve, reject) => {
      this.emuWaiting.set(id, (r) => (r.ok ? resolve(r.result) : reject(new Error(r.error))));
      child.send({ id, req });
    });
  }

  /** Cuts link i (1-based) in both directions: what is queued or in flight is lost. */
  cut(i: number): Promise<unknown> {
    return this.emu({ cmd: 'down', tuns: [`l${i}u`, `l${i}d`] });
  }

  restore(i: number): Promise<unknown> {
    return this.emu({ cmd: 'up', tuns: [`l${i}u`, `l${i}d`] });
  }

  /** Changes a link's settings at run time (rate, delay, loss, queue), one or both directions. */
  setLink(i: number, s: Partial<Omit<LinkSettings, 'traceFile'>> & { duplicatePct?: number; corruptPct?: number }, dirs: ('u' | 'd')[] = ['u', 'd']): Promise<unknown[]> {
    return Promise.all(dirs.map((d) => this.emu({ cmd: 'set', tun: `l${i}${d}`, settings: s })));
  }

  /**
   * Routes the lan's traffic over link i alone, without a tunnel (rt's default route via the
   * link, and the way back to 192.168.1.0/24 through the same link), or removes that (null).
   */
  useLinkAlone(i: number | null): void {
    const { rt, wan, vps } = this.ns;
    if (this.lanRoute !== null) {
      const j = this.lanRoute;
      ipBatch(rt, [`route del default via 100.64.${j}.1`]);
      ipBatch(wan, [`route del 192.168.1.0/24`, ...(this.links[j - 1]!.shaped ? [`rule del pref 31 to 192.168.1.0/24 lookup ${200 + j}`] : [])]);
      ipBatch(vps, ['route del 192.168.1.0/24']);
      this.lanRoute = null;
    }
    if (i === null) return;
    const l = this.links[i - 1]!;
    ipBatch(rt, [`route add default via ${l.gateway} dev ${l.device}`]);
    ipBatch(wan, [`route add 192.168.1.0/24 via ${l.address} dev rt${i}`, ...(l.shaped ? [`rule add pref 31 to 192.168.1.0/24 lookup ${200 + i}`] : [])]);
    ipBatch(vps, ['route add 192.168.1.0/24 via 203.0.113.254']);
    this.lanRoute = i;
  }

  spawn(ns: string, cmd: string, args: string[], opts = {}): ChildProcess {
    return this.spaces.spawn(ns, cmd, args, opts);
  }

  /** Runs a lab script (a file of build/js/test/lab) with node inside namespace ns. */
  node(ns: string, script: string, args: string[]): ChildProcess {
    return this.spawn(ns, process.execPath, [`${LAB_BUILD}${script}`, ...args]);
  }

  close(): void {
    this.emulator?.kill('SIGKILL');
    this.spaces.closeSync();
  }
}
