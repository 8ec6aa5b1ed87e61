// The CPU reference of the issue: OpenVPN (UDP, AES-256-GCM, one link) between rt and vps in
// the same lab, one TCP flow from inet to lan through it. Self-signed certificates made with
// openssl and pinned by fingerprint (peer-fingerprint), so no CA is needed. Debian: openvpn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ipBatch, missingTools } from '../sh.js';
import { bulk, goodput } from '../traffic/measure.js';
import { cpuPerGB } from './procstat.js';
import { until } from '../wait.js';
import type { Lab } from '../topology.js';

export function openvpnMissing(): string[] {
  return missingTools({ openvpn: 'openvpn', openssl: 'openssl' });
}

function certificate(dir: string, name: string): string {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)], { stdio: 'ignore' });
  const fp = execFileSync('openssl', ['x509', '-in', join(dir, `${name}.crt`), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return fp.split('=')[1]!.trim();
}

/** One TCP download through OpenVPN over link 1: Mbit/s and CPU seconds per GB of each end. */
export async function benchOpenvpn(lab: Lab, seconds: number, cc: string): Promise<{ mbps: number; clientCpuSPerGB: number; serverCpuSPerGB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bond-ovpn-'));
  const l = lab.links[0]!;
  try {
    const serverFp = certificate(dir, 'server'), clientFp = certificate(dir, 'client');
    const common = ['--dev', 'ovpn0', '--dev-type', 'tun', '--proto', 'udp', '--data-ciphers', 'AES-256-GCM', '--disable-dco',
      '--verb', '1', '--tun-mtu', '1424', '--mssfix', '0', '--sndbuf', '4194304', '--rcvbuf', '4194304'];
    const server = lab.spawn(lab.ns.vps, 'openvpn', [...common, '--local', '203.0.113.1', '--port', '1194', '--tls-server',
      '--cert', join(dir, 'server.crt'), '--key', join(dir, 'server.key'), '--dh', 'none', '--peer-fingerprint', clientFp,
      '--ifconfig', '10.88.0.1', '10.88.0.2', '--route', '192.168.1.0', '255.255.255.0', '10.88.0.2']);
    ipBatch(lab.ns.rt, [`route add 203.0.113.1 via ${l.gateway} dev ${l.device}`]);
    const client = lab.spawn(lab.ns.rt, 'openvpn', [...common, '--remote', '203.0.113.1', '1194', '--nobind', '--tls-client',
      '--cert', join(dir, 'client.crt'), '--key', join(dir, 'client.key'), '--peer-fingerprint', serverFp,
      '--ifconfig', '10.88.0.2', '10.88.0.1', '--route', '198.51.100.0', '255.255.255.0', '10.88.0.1']);
    await until('OpenVPN to come up', () => execFileSync('ip', ['-n', lab.ns.rt, 'route', 'show', '198.51.100.0/24'], { encoding: 'utf8' }).includes('ovpn0'));
    await sleep(1000);
    const { result, ...cpu } = await cpuPerGB(client.pid!, server.pid!, () => bulk(lab, { seconds, cc }));
    client.kill('SIGKILL');
    server.kill('SIGKILL');
    ipBatch(lab.ns.rt, ['route del 203.0.113.1']);
    return { mbps: goodput(result), ...cpu };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
