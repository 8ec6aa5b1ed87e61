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
import type { Lab } from './topology.js';
import type { Status } from '../../src/status/status.js';

export interface LabBondOptions {
  scheduler?: string;
  links?: number[]; // lab link indices (1-based) the client uses; default all
  cipher?: string;
  logLevel?: string;
  clientExtra?: string; // more UCI lines for the client's main section
}

export class LabBond {
  readonly dir = mkdtempSync(join(tmpdir(), 'bond-lab-'));
  readonly key = randomBytes(32).toString('base64');
  readonly clientSock = join(this.dir, 'client.sock');
  readonly serverSock = join(this.dir, 'server.sock');
  readonly clientConf = join(this.dir, 'client.conf');
  readonly serverConf = join(this.dir, 'server.conf');
  server!: ChildProcess;
  client!: ChildProcess;
  serverLog = '';
  clientLog = '';

  private constructor(private readonly lab: Lab, private readonly o: LabBondOptions) {}

  static async start(lab: Lab, o: LabBondOptions = {}): Promise<LabBond> {
    const b = new LabBond(lab, o);
    b.writeConfigs();
    b.server = b.spawn(lab.ns.vps, b.serverConf, b.serverSock, (s) => (b.serverLog += s));
    await b.waitFor(b.serverSock, 'server');
    b.client = b.spawn(lab.ns.rt, b.clientConf, b.clientSock, (s) => (b.clientLog += s));
    await b.waitFor(b.clientSock, 'client');
    return b;
  }

  writeConfigs(links = this.o.links): void {
    const o = this.o;
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
`);
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
    const c = this.lab.spawn(ns, process.execPath, [BONDD, '--config', conf, '--control', sock], { env: { ...process.env } });
    c.stdout!.on('data', (d: Buffer) => log(d.toString()));
    c.stderr!.on('data', (d: Buffer) => log(d.toString()));
    return c;
  }

  private async waitFor(sock: string, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        await request(sock, 'status', {}, 500);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`bondd ${what} did not start:\n${what === 'server' ? this.serverLog : this.clientLog}`);
  }

  status(which: 'client' | 'server'): Promise<Status> {
    return request(which === 'client' ? this.clientSock : this.serverSock, 'status') as Promise<Status>;
  }

  call(which: 'client' | 'server', method: string, params: object = {}): Promise<unknown> {
    return request(which === 'client' ? this.clientSock : this.serverSock, method, params);
  }

  /** Waits until the client is connected and `links` links are up (default: all it has). */
  async connected(timeoutMs = 10_000, links?: number): Promise<Status> {
    const end = Date.now() + timeoutMs;
    let s: Status | undefined;
    while (Date.now() < end) {
      s = await this.status('client').catch(() => undefined);
      const up = s?.links.filter((l) => l.state === 'up').length ?? 0;
      if (s?.state === 'connected' && up >= (links ?? s.links.length)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`bond did not connect: ${JSON.stringify(s?.links.map((l) => [l.name, l.state, l.reason]))}\nclient log:\n${this.clientLog}\nserver log:\n${this.serverLog}`);
  }

  /** SIGTERM both daemons and wait for them to exit (they clean up what they created). */
  async stop(): Promise<void> {
    await Promise.all([this.client, this.server].map((c) => new Promise<void>((resolve) => {
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => (clearTimeout(t), resolve()));
      c.kill('SIGTERM');
    })));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
