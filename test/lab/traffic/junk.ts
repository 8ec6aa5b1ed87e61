// An attacker for the lab: floods a UDP address with what a bond server must survive, for
// --seconds: random bytes, truncated headers, transport packets with made-up session indexes
// and counters, and inits with garbage keys. Prints the number of packets sent.
//   node junk.js --host 203.0.113.1 --port 7010 [--seconds 3] [--rate 2000]
import { createSocket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';

const o: Record<string, string> = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) o[argv[i]!.replace(/^--/, '')] = argv[i + 1]!;
const host = o.host!, port = Number(o.port ?? 7010), seconds = Number(o.seconds ?? 3), rate = Number(o.rate ?? 2000);

function packet(kind: number): Buffer {
  switch (kind) {
    case 0: return randomBytes(randomInt(1, 1500)); // noise
    case 1: return Buffer.from([3, 0, 0]); // truncated header
    case 2: { // a transport packet under a made-up session
      const b = randomBytes(randomInt(48, 1400));
      b[0] = 3;
      b[1] = randomInt(0, 4);
      return b;
    }
    default: { // an init with a random key id and MAC
      const b = randomBytes(256);
      b[0] = 1;
      return b;
    }
  }
}

const s = createSocket('udp4');
let sent = 0;
const end = Date.now() + seconds * 1000;
const timer = setInterval(() => {
  for (let i = 0; i < rate / 100; i++, sent++) s.send(packet(sent % 4), port, host);
  if (Date.now() > end) {
    clearInterval(timer);
    setTimeout(() => {
      process.stdout.write(JSON.stringify({ sent }) + '\n');
      s.close();
    }, 100);
  }
}, 10);
