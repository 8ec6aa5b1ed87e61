// Runs the bond in the lab: `bondd` in server mode on vps and in client mode on rt, with
// configuration files written for the lab's links, control sockets in a temporary directory,
// and their logs kept for when a test fails.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { request } from '../../src/control/socket.js';
import { BONDD } from './paths.js';
import { until } from './wait.js';
import type { Lab } from './topology.js';
import type { Status } from '../../src/status/status.js';

export interface LabBondOptions {
  scheduler?: string;
  links?: number[]; // lab link indices (1-based) the client uses; default all
  cipher?: string;
  logLevel?: string;
  clientExtra?: string; // more UCI lines for the client's main section
  /** Also run clients on the lab's extra routers (rt2…), as more peers of the server. */
  moreClients?: boolean;
}

/** One more client, on one of the lab's extra routers. */
export interface ExtraClient { ns: string; key: string; conf: string; sock: string; proc?: ChildProcess; log: string; address: string }

export class LabBond {
  readonly dir = mkdtempSync(join(tmpdir(), 'bond-lab-'));
  readonly key = randomBytes(32).toString('base64');
  readonly clientSock = join(this.dir, 'client.sock');
  readonly serverSock = join(this.dir, 'server.sock');
  readonly clientConf = join(this.dir, 'client.conf');
  readonly serverConf = join(this.dir, 'server.conf');
  server!: ChildProcess;
  client!: ChildProcess;
  readonly extra: ExtraClient[] = [];
  serverLog = '';
  clientLog = '';

  private constructor(private readonly lab: Lab, private readonly o: LabBondOptions) {}

  static async start(lab: Lab, o: LabBondOptions = {}): Promise<LabBond> {
    const b = new LabBond(lab, o);
    b.writeConfigs();
    b.server = b.spawn(lab.ns.vps, b.serverConf, b.serverSock, (s) => (b.serverLog += s));
    await b.waitFor(b.serverSock, 'server', () => b.serverLog);
    b.client = b.spawn(lab.ns.rt, b.clientConf, b.clientSock, (s) => (b.clientLog += s));
    await b.waitFor(b.clientSock, 'client', () => b.clientLog);
    for (const x of b.extra) {
      x.proc = b.spawn(x.ns, x.conf, x.sock, (s) => (x.log += s));
      await b.waitFor(x.sock, x.ns, () => x.log);
    }
    return b;
  }

  writeConfigs(links = this.o.links): void {
    const o = this.o;
    if (o.moreClients && this.extra.length === 0) {
      this.lab.routers.forEach((r, k) => {
        const x: ExtraClient = { ns: r.ns, key: randomBytes(32).toString('base64'), conf: join(this.dir, `client${k + 2}.conf`), sock: join(this.dir, `client${k + 2}.sock`), log: '', address: `10.77.0.${k + 3}` };
        writeFileSync(x.conf, `config bonding 'main'
	option mode 'client'
	option server '203.0.113.1'
	option key '${x.key}'

config link 'only'
	option device '${r.device}'
	option gateway '${r.gateway}'
`);
        this.extra.push(x);
      });
    }
    const extraPeers = this.extra.map((x, k) => `
config peer 'more${k + 2}'
	option key '${x.key}'
	option address '${x.address}'
`).join('');
    writeFileSync(this.serverConf, `config bonding 'main'
	option mode 'server'
	option listen '0.0.0.0'
	option port '7010'
	option address '10.77.0.1/24'
	option address6 'fd77::1/64'
	option nat '1'
	option log_level '${o.logLevel ?? 'info'}'
${o.cipher ? `\toption cipher '${o.cipher}'\n` : ''}
config peer 'lab'
	option key '${this.key}'
	option address '10.77.0.2'
	option address6 'fd77::2'
	list route '192.168.1.0/24'
	list route 'fd00:1::/64'
${extraPeers}`);
    const use = this.lab.links.filter((l) => !links || links.includes(l.index));
    writeFileSync(this.clientConf, `config bonding 'main'
	option mode 'client'
	option server '203.0.113.1'
	option port '7010'
	option key '${this.key}'
	option scheduler '${o.scheduler ?? 'adaptive'}'
	option log_level '${o.logLevel ?? 'info'}'
${o.cipher ? `\toption cipher '${o.cipher}'\n` : ''}${o.clientExtra ?? ''}
${use.map((l) => `config link '${l.name}'
	option device '${l.device}'
	option gateway '${l.gateway}'
`).join('\n')}`);
  }

  private spawn(ns: string, conf: string, sock: string, log: (s: string) => void): ChildProcess {
    // BOND_NODE_ARGS: extra node options for the daemons (e.g. --cpu-prof for profiling)
    const extra = process.env.BOND_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const c = this.lab.spawn(ns, process.execPath, [...extra, BONDD, '--config', conf, '--control', sock], { env: { ...process.env } });
    c.stdout!.on('data', (d: Buffer) => log(d.toString()));
    c.stderr!.on('data', (d: Buffer) => log(d.toString()));
    return c;
  }

  private async waitFor(sock: string, what: string, log: () => string): Promise<void> {
    await until(`bondd ${what}`, () => request(sock, 'status', {}, 500).then(() => true)).catch((e: Error) => {
      throw new Error(`bondd ${what} did not start:\n${log()}`, { cause: e });
    });
  }

  /** Kills the server (as a crash would) and starts it again with the same configuration. */
  async restartServer(): Promise<void> {
    await this.kill(this.server);
    this.server = this.spawn(this.lab.ns.vps, this.serverConf, this.serverSock, (s) => (this.serverLog += s));
    await this.waitFor(this.serverSock, 'server', () => this.serverLog);
  }

  /** Starts the client again (after it was killed). */
  async restartClient(): Promise<void> {
    await this.kill(this.client);
    this.client = this.spawn(this.lab.ns.rt, this.clientConf, this.clientSock, (s) => (this.clientLog += s));
    await this.waitFor(this.clientSock, 'client', () => this.clientLog);
  }

  private kill(c: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }

  status(which: 'client' | 'server'): Promise<Status> {
    return request(which === 'client' ? this.clientSock : this.serverSock, 'status') as Promise<Status>;
  }

  call(which: 'client' | 'server', method: string, params: object = {}): Promise<unknown> {
    return request(which === 'client' ? this.clientSock : this.serverSock, method, params);
  }

  /** Waits until the client is connected and `links` links are up (default: all it has). */
  async connected(timeoutMs = 10_000, links?: number): Promise<Status> {
    let s: Status | undefined;
    return until('the bond to connect', async () => {
      s = await this.status('client');
      const up = s.links.filter((l) => l.state === 'up').length;
      return s.state === 'connected' && up >= (links ?? s.links.length) && s;
    }, timeoutMs).catch(() => {
      throw new Error(`bond did not connect: ${JSON.stringify(s?.links.map((l) => [l.name, l.state, l.reason]))}\nclient log:\n${this.clientLog}\nserver log:\n${this.serverLog}`);
    });
  }

  /** SIGTERM both daemons and wait for them to exit (they clean up what they created). */
  async stop(): Promise<void> {
    await Promise.all([this.client, this.server, ...this.extra.map((x) => x.proc)].map((c) => new Promise<void>((resolve) => {
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => (clearTimeout(t), resolve()));
      c.kill('SIGTERM');
    })));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
