// Latency probe for the lab: a UDP echo and a client that sends a small timestamped packet
// every --interval ms and records each round trip.
//   node probe.js echo [--port 5300]
//   node probe.js run --host H [--port 5300] [--seconds 5] [--interval 20] [--size 64]
// `run` prints one JSON line: { rttMs, sent, lost, samples }, where samples are
// [send time (ms since the epoch), rtt ms or -1 when no answer came] for every probe.
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { isIPv6 } from 'node:net';

export interface ProbeResult { rttMs: number[]; sent: number; lost: number; samples: [number, number][] }

function echo(port: number): void {
  const s = createSocket({ type: 'udp6' });
  s.on('message', (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
  s.bind(port, '::', () => process.stdout.write('listening\n'));
}

function run(host: string, port: number, seconds: number, intervalMs: number, size: number): void {
  const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const sentAt = new Map<number, number>();
  const rtt: number[] = [];
  const samples: [number, number][] = [];
  const epoch = () => performance.timeOrigin + performance.now();
  let seq = 0;
  s.on('message', (msg) => {
    const n = msg.readUInt32BE(0);
    const t = sentAt.get(n);
    if (t === undefined) return;
    sentAt.delete(n);
    rtt.push(performance.now() - t);
    samples[n - 1]![1] = performance.now() - t;
  });
  const pkt = Buffer.alloc(Math.max(8, size));
  const timer = setInterval(() => {
    pkt.writeUInt32BE(++seq, 0);
    sentAt.set(seq, performance.now());
    samples.push([epoch(), -1]);
    s.send(pkt, port, host);
  }, intervalMs);
  setTimeout(() => {
    clearInterval(timer);
    // give the last probes a second to come back
    setTimeout(() => {
      const result: ProbeResult = { rttMs: rtt, sent: seq, lost: sentAt.size, samples };
      process.stdout.write(JSON.stringify(result) + '\n');
      s.close();
    }, 1000);
  }, seconds * 1000);
}

const [mode, ...rest] = process.argv.slice(2);
const o: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) o[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
if (mode === 'echo') echo(Number(o.port ?? 5300));
else run(o.host!, Number(o.port ?? 5300), Number(o.seconds ?? 5), Number(o.interval ?? 20), Number(o.size ?? 64));
