// Run by addon-tun.test.ts inside a fresh namespace: opens TUN bt0, sends 20 UDP datagrams
// that the kernel routes into it, reads them as one batch, turns each into a reply (swapped
// addresses and ports) and writes the batch back; a local socket must receive all 20.
// Prints one JSON line with what it saw.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { TunDevice } from '../../src/tun/device.js';
import { PacketBatch } from '../../src/native/batch.js';

function ipChecksum(b: Buffer, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += b.readUInt16BE(off + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const tun = new TunDevice('bt0');
execFileSync('ip', ['addr', 'add', '10.201.0.1/24', 'dev', 'bt0']);
execFileSync('ip', ['link', 'set', 'bt0', 'up']);
const sock = createSocket('udp4');
sock.bind(4000, '10.201.0.1');
await once(sock, 'listening');
for (let i = 0; i < 20; i++) sock.send(`hello ${i}`, 5000, '10.201.0.9');
await sleep(200);

const batch = new PacketBatch(64, 2048, 32);
const read = tun.read(batch);
let payloadsMatch = true;
let n = 0; // our datagrams, in order; the kernel may also send the device IPv6 router solicitations
for (let i = 0; i < read; i++) {
  const p = batch.start(i), len = batch.lengths[i]!;
  const ihl = (batch.slab[p]! & 15) * 4;
  if (batch.slab[p]! >> 4 !== 4 || batch.slab[p + 9] !== 17) continue;
  if (batch.slab.toString('utf8', p + ihl + 8, p + len) !== `hello ${n}`) payloadsMatch = false;
  batch.offsets[n] = p;
  batch.lengths[n++] = len;
  // reply: swap addresses and ports; UDP checksum 0 (allowed on IPv4); fix the header checksum
  const src = batch.slab.readUInt32BE(p + 12), dst = batch.slab.readUInt32BE(p + 16);
  batch.slab.writeUInt32BE(dst, p + 12);
  batch.slab.writeUInt32BE(src, p + 16);
  const sp = batch.slab.readUInt16BE(p + ihl), dp = batch.slab.readUInt16BE(p + ihl + 2);
  batch.slab.writeUInt16BE(dp, p + ihl);
  batch.slab.writeUInt16BE(sp, p + ihl + 2);
  batch.slab.writeUInt16BE(0, p + ihl + 6);
  batch.slab.writeUInt16BE(0, p + 10);
  batch.slab.writeUInt16BE(ipChecksum(batch.slab, p, ihl), p + 10);
}
let echoedBack = 0;
sock.on('message', () => echoedBack++);
tun.write(batch.slab, batch.offsets, batch.lengths, n);
await sleep(200);

const code = (f: () => unknown) => {
  try {
    f();
    return 'none';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
};
const duplicateError = code(() => new TunDevice('bt0'));
const badNameError = code(() => new TunDevice('bad name/x'));
tun.close();
sock.close();
process.stdout.write(JSON.stringify({ name: tun.name, readCount: n, payloadsMatch, echoedBack, duplicateError, badNameError }) + '\n');
