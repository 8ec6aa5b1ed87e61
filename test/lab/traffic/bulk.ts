// TCP bulk transfer for the lab, in Node so nothing else needs installing.
//   node bulk.js serve [--port 5201]
//   node bulk.js run --host H [--port 5201] [--dir down|up] [--seconds 10] [--flows 1] [--cc cubic]
// `run` opens the flows, asks the server to send (down) or receives nothing and sends (up),
// and prints one JSON line: per-100 ms goodput samples of the receiving side, summed over flows.
// The sending side of each flow sets its congestion control (--cc) per socket.
import { createServer, connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { addon } from '../../../src/native/addon.js';

const SAMPLE_MS = 100;
const CHUNK = Buffer.alloc(128 * 1024, 0x5a);
const IPPROTO_TCP = 6, TCP_CONGESTION = 13;

interface Request { dir: 'down' | 'up'; seconds: number; cc: string }

export interface BulkResult {
  dir: 'down' | 'up';
  flows: number;
  seconds: number;
  bytes: number;
  samplesMbps: number[]; // receiver goodput per 100 ms, all flows summed
  flowBytes: number[];
  errors: string[];
}

function setCongestion(sock: Socket, cc: string): void {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd !== undefined && fd >= 0 && cc) addon().setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc);
}

/** Sends until `seconds` have passed, then half-closes. */
function blast(sock: Socket, seconds: number, done: () => void): void {
  const end = performance.now() + seconds * 1000;
  const pump = () => {
    while (performance.now() < end) if (!sock.write(CHUNK)) return void sock.once('drain', pump);
    sock.end();
    done();
  };
  pump();
}

/** Counts received bytes into 100 ms buckets from t0. */
class Meter {
  readonly buckets: number[] = [];
  bytes = 0;
  constructor(private readonly t0: number) {}
  add(n: number): void {
    const k = Math.floor((performance.now() - this.t0) / SAMPLE_MS);
    while (this.buckets.length <= k) this.buckets.push(0);
    this.buckets[k]! += n;
    this.bytes += n;
  }
}

function serve(port: number): void {
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    let header = '';
    const onData = (d: Buffer) => {
      header += d.toString('latin1');
      const nl = header.indexOf('\n');
      if (nl < 0) return;
      sock.off('data', onData);
      const req = JSON.parse(header.slice(0, nl)) as Request;
      if (req.dir === 'down') {
        setCongestion(sock, req.cc);
        sock.on('data', () => {});
        blast(sock, req.seconds, () => {});
      } else {
        // upload: count here, report the samples back when the client has finished
        const meter = new Meter(performance.now());
        const rest = Buffer.from(header.slice(nl + 1), 'latin1');
        if (rest.length) meter.add(rest.length);
        sock.on('data', (b: Buffer) => meter.add(b.length));
        sock.on('end', () => sock.end(JSON.stringify({ buckets: meter.buckets, bytes: meter.bytes }) + '\n'));
      }
    };
    sock.on('data', onData);
    sock.on('error', () => sock.destroy());
  });
  server.listen(port, '::', () => process.stdout.write('listening\n'));
}

async function runFlow(host: string, port: number, req: Request, meter: Meter): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port }, () => {
      sock.setNoDelay(true);
      sock.write(JSON.stringify(req) + '\n');
      if (req.dir === 'down') {
        let n = 0;
        sock.on('data', (b: Buffer) => (meter.add(b.length), (n += b.length)));
        sock.on('end', () => resolve(n));
      } else {
        setCongestion(sock, req.cc);
        let reply = '';
        sock.on('data', (b: Buffer) => (reply += b.toString()));
        sock.on('end', () => {
          const r = JSON.parse(reply) as { buckets: number[]; bytes: number };
          // the server's buckets start at its accept, close enough to the meter's start (same host clock)
          r.buckets.forEach((b, k) => {
            while (meter.buckets.length <= k) meter.buckets.push(0);
            meter.buckets[k]! += b;
          });
          meter.bytes += r.bytes;
          resolve(r.bytes);
        });
        blast(sock, req.seconds, () => {});
      }
    });
    sock.setTimeout((req.seconds + 30) * 1000, () => sock.destroy(new Error('flow timed out')));
    sock.on('error', reject);
  });
}

async function run(opts: Record<string, string>): Promise<void> {
  const flows = Number(opts.flows ?? 1), seconds = Number(opts.seconds ?? 10);
  const req: Request = { dir: (opts.dir ?? 'down') as 'down' | 'up', seconds, cc: opts.cc ?? 'cubic' };
  const meter = new Meter(performance.now());
  const results = await Promise.allSettled(
    Array.from({ length: flows }, () => runFlow(opts.host!, Number(opts.port ?? 5201), req, meter)),
  );
  const out: BulkResult = {
    dir: req.dir, flows, seconds, bytes: meter.bytes,
    samplesMbps: meter.buckets.map((b) => (b * 8) / (SAMPLE_MS * 1000)),
    flowBytes: results.map((r) => (r.status === 'fulfilled' ? r.value : 0)),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : [])),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function options(argv: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) o[argv[i]!.replace(/^--/, '')] = argv[i + 1]!;
  return o;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') serve(Number(options(rest).port ?? 5201));
else if (mode === 'run') await run(options(rest));
