// Micro-bench of the addon's packet I/O against what plain Node offers, in a namespace of its
// own. Three processes: a generator floods packets, a forwarder moves them, a sink counts.
//   tun→udp: generator → (kernel routes to TUN fw0) → forwarder reads TUN, sends UDP → sink
//   udp→tun: generator sends UDP carrying IP packets → forwarder receives, writes them to TUN
//            → (kernel delivers to a local socket) → sink
// The forwarder is either `addon` (batched reads, recvmmsg/sendmmsg, batched TUN writes) or
// `node` (fs.readSync/fs.writeSync on the TUN fd, one dgram call per packet: Node's only way).
// Reported: packets/s at the sink, and the forwarder's CPU time per packet.
import { createSocket } from 'node:dgram';
import { readSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacketBatch } from '../../../src/native/batch.js';
import { UdpSocket } from '../../../src/conn/udp.js';
import { TunDevice } from '../../../src/tun/device.js';
import { encodeEndpoint } from '../../../src/conn/endpoint.js';
import { Namespaces } from '../netns.js';
import { firstLine } from '../traffic/measure.js';
import { LAB_BUILD } from '../paths.js';

const SIZE = 1400, SECONDS = 3, SINK_PORT = 7777, FWD_PORT = 7000;

export interface IoResult { path: 'tun→udp' | 'udp→tun'; impl: 'addon' | 'node'; pps: number; cpuUsPerPacket: number }

function ipv4Udp(buf: Buffer, at: number, total: number): void {
  buf.fill(0, at, at + 28);
  buf[at] = 0x45;
  buf.writeUInt16BE(total, at + 2);
  buf[at + 8] = 64;
  buf[at + 9] = 17;
  buf.writeUInt32BE(0x0a580002, at + 12); // 10.88.0.2
  buf.writeUInt32BE(0x0a580001, at + 16); // 10.88.0.1
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += buf.readUInt16BE(at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  buf.writeUInt16BE(~sum & 0xffff, at + 10);
  buf.writeUInt16BE(9999, at + 20);
  buf.writeUInt16BE(SINK_PORT, at + 22);
  buf.writeUInt16BE(total - 20, at + 24);
}

function generator(path: string): void {
  const s = new UdpSocket({ address: '0.0.0.0' });
  const b = new PacketBatch(64, 2048, 0);
  for (let i = 0; i < 64; i++) {
    b.lengths[i] = SIZE;
    if (path === 'udp→tun') ipv4Udp(b.slab, b.start(i), SIZE);
  }
  const to = path === 'tun→udp' ? encodeEndpoint('10.88.0.2', 9) : encodeEndpoint('127.0.0.1', FWD_PORT);
  const pump = () => {
    for (let k = 0; k < 20; k++) s.send(b.slab, b.offsets, b.lengths, to, 64);
    setImmediate(pump);
  };
  pump();
}

function sink(): void {
  const s = new UdpSocket({ address: '0.0.0.0', port: SINK_PORT, bufferBytes: 8 << 20 });
  const b = new PacketBatch(256, 2048, 0);
  let count = 0;
  s.onReadable(() => (count += s.receive(b)));
  process.stdout.write('ready\n');
  process.on('message', () => {
    process.send!(count);
    count = 0;
  });
}

function forwarder(path: string, impl: string): void {
  const tun = new TunDevice('fw0');
  execFileSync('ip', ['addr', 'add', '10.88.0.1/24', 'dev', 'fw0']);
  execFileSync('ip', ['link', 'set', 'fw0', 'up', 'txqueuelen', '10000']);
  execFileSync('sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.fw0.rp_filter=0']);
  let packets = 0;
  const cpu0 = process.cpuUsage();
  if (path === 'tun→udp') {
    const sinkAt = encodeEndpoint('127.0.0.1', SINK_PORT);
    if (impl === 'addon') {
      const out = new UdpSocket({ address: '127.0.0.1' });
      const b = new PacketBatch(64, 2048, 0);
      tun.onReadable(() => {
        const n = tun.read(b);
        out.send(b.slab, b.offsets, b.lengths, sinkAt, n);
        packets += n;
      });
    } else {
      const out = createSocket('udp4');
      const buf = Buffer.alloc(2048);
      tun.onReadable(() => {
        for (let k = 0; k < 64; k++) {
          let n: number;
          try {
            n = readSync(tun.fd, buf, 0, 2048, null);
          } catch {
            break; // EAGAIN: empty
          }
          out.send(buf.subarray(0, n), SINK_PORT, '127.0.0.1');
          packets++;
        }
      });
    }
  } else if (impl === 'addon') {
    const inp = new UdpSocket({ address: '127.0.0.1', port: FWD_PORT, bufferBytes: 8 << 20 });
    const b = new PacketBatch(64, 2048, 0);
    inp.onReadable(() => {
      const n = inp.receive(b);
      tun.write(b.slab, b.offsets, b.lengths, n);
      packets += n;
    });
  } else {
    const inp = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    inp.bind(FWD_PORT, '127.0.0.1');
    inp.on('message', (m) => {
      try {
        writeSync(tun.fd, m);
      } catch {
        /* a full TUN queue drops, as in the addon path */
      }
      packets++;
    });
  }
  process.stdout.write('ready\n');
  process.on('message', () => {
    const c = process.cpuUsage(cpu0);
    process.send!({ packets, cpuUs: c.user + c.system });
  });
}

async function ask<T>(child: import('node:child_process').ChildProcess): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send('report');
  });
}

/** Runs every path × implementation; about 4 s each. Needs root. */
export async function benchAddonIo(): Promise<IoResult[]> {
  const spaces = new Namespaces('blb');
  const results: IoResult[] = [];
  try {
    for (const path of ['tun→udp', 'udp→tun'] as const) {
      for (const impl of ['addon', 'node'] as const) {
        const ns = spaces.add(`${impl}${path === 'tun→udp' ? 'tu' : 'ut'}`);
        const script = `${LAB_BUILD}bench/addon-io.js`;
        const opts = { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] as ('ignore' | 'pipe' | 'inherit' | 'ipc')[] };
        const sinkP = spaces.spawn(ns, process.execPath, [script, 'sink'], opts);
        const fwd = spaces.spawn(ns, process.execPath, [script, 'forwarder', path, impl], opts);
        await Promise.all([firstLine(sinkP, 'sink'), firstLine(fwd, 'forwarder')]);
        const gen = spaces.spawn(ns, process.execPath, [script, 'generator', path], opts);
        await sleep(500);
        await ask(sinkP);
        const f0 = await ask<{ packets: number; cpuUs: number }>(fwd);
        await sleep(SECONDS * 1000);
        const delivered = await ask<number>(sinkP);
        const f1 = await ask<{ packets: number; cpuUs: number }>(fwd);
        for (const c of [gen, fwd, sinkP]) c.kill('SIGKILL');
        results.push({ path, impl, pps: Math.round(delivered / SECONDS), cpuUsPerPacket: +((f1.cpuUs - f0.cpuUs) / Math.max(1, f1.packets - f0.packets)).toFixed(2) });
      }
    }
  } finally {
    spaces.closeSync();
  }
  return results;
}

const [role, ...args] = process.argv.slice(2);
if (role === 'generator') generator(args[0]!);
else if (role === 'sink') sink();
else if (role === 'forwarder') forwarder(args[0]!, args[1]!);
